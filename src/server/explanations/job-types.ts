/** The job JSON the API answers with and the database stores (one shape for both). */
import type { JobParams } from './job-params.js';

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobPrediction {
  index: number;
  label: string;
  probability: number;
}

export interface JobResult {
  target: { index: number; label: string };
  predictions: JobPrediction[];
  method: string;
  gradient: string;
  queries: number;
  seconds: number;
  sigma: number;
  rounds: number;
  /** True when the job was cancelled and the map is the mean of the rounds finished before. */
  partial: boolean;
}

export interface JobRecord {
  id: string;
  status: JobStatus;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Everything needed to run the job again: with the same input the map is byte-identical. */
  params: JobParams;
  /** Display only (never used as a path): the uploaded file's name or the example's name. */
  inputName: string;
  queries: { done: number; total: number };
  /** Rounds of the estimate finished (each ends with a preview; resume continues after the last one). */
  rounds: { done: number; total: number };
  error?: string;
  /** The model's prediction, known after the first round (the page offers the top-5 as targets). */
  prediction?: { predictions: JobPrediction[]; target: { index: number; label: string } };
  result?: JobResult;
}
