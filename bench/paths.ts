import { join } from 'node:path';
import { packageRoot } from '../src/models/config.js';

export function kittenPath(): string {
  return join(packageRoot(), 'examples', 'kitten_224.png');
}
