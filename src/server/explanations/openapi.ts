/** The API's OpenAPI 3.1 document, served at /openapi.json (hand-written: the routes read multipart forms). */
import { jobParamsSchema } from './job-params.js';
import { JOB_STATUSES } from './job-types.js';
import { RESULT_FILES } from './job-manager.js';

const error = { description: 'bad request', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const job = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Job' } } } });
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

export function openApiDocument(): object {
  const optionFields = Object.fromEntries(Object.keys(jobParamsSchema(1).shape).map((name) => [name, { type: 'string', description: `as the CLI's --${name}` }]));
  return {
    openapi: '3.1.0',
    info: { title: 'lrsal explanation server', version: '1', description: 'Saliency maps of black-box image models from forward queries only. With --token, every /v1 route needs `Authorization: Bearer <token>`.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
        Job: {
          type: 'object',
          required: ['id', 'status', 'queries', 'params'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            status: { enum: [...JOB_STATUSES] },
            queries: { type: 'object', properties: { done: { type: 'integer' }, total: { type: 'integer' } } },
            rounds: { type: 'object', properties: { done: { type: 'integer' }, total: { type: 'integer' } } },
            eta: { type: ['number', 'null'], description: 'seconds left (running jobs)' },
            params: { type: 'object', description: 'the options the job runs with, seed included (reproducible)' },
            prediction: { type: 'object', description: "the model's top-5, known after the first round" },
            result: { type: 'object', description: 'target, predictions, queries, seconds, sigma, rounds, partial' },
            files: { type: 'object', description: `URLs of ${RESULT_FILES.join(', ')} once there is a result` },
            error: { type: 'string' },
          },
        },
        JobForm: {
          type: 'object',
          properties: { image: { type: 'string', format: 'binary', description: 'JPEG, PNG or WebP (judged by content)' }, example: { type: 'string', description: 'a bundled example instead of an upload' }, ...optionFields },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/models': { get: { summary: 'models on offer: the bundled one and ONNX files of --models DIR', responses: { 200: { description: '{ models: [...] }' } } } },
      '/v1/examples': { get: { summary: 'bundled example images', responses: { 200: { description: '{ examples: [{ name, url }] }' } } } },
      '/v1/predictions': {
        post: {
          summary: "the model's top-k for an image (fields image|example, model, top-k)",
          requestBody: { content: { 'multipart/form-data': { schema: { $ref: '#/components/schemas/JobForm' } } } },
          responses: { 200: { description: '{ model, predictions: [{ index, label, probability }] }' }, 400: error, 413: error, 415: error },
        },
      },
      '/v1/explanations': {
        post: {
          summary: 'start an explanation job',
          requestBody: { content: { 'multipart/form-data': { schema: { $ref: '#/components/schemas/JobForm' } } } },
          responses: { 202: job('queued'), 400: error, 401: error, 413: error, 415: error },
        },
        get: { summary: 'job history, newest first', responses: { 200: { description: '{ jobs: [Job] }' } } },
      },
      '/v1/explanations/{id}': {
        get: { summary: 'one job: status, queries, ETA, result links', parameters: [id], responses: { 200: job('the job'), 404: error } },
        delete: { summary: 'cancel (a running job stops after its queries in flight; finished rounds are kept as a partial result)', parameters: [id], responses: { 202: job('cancelled or stopping'), 404: error } },
      },
      '/v1/explanations/{id}/resume': { post: { summary: 'resume an interrupted job from its last finished round', parameters: [id], responses: { 202: job('queued again'), 400: error, 404: error } } },
      '/v1/explanations/{id}/events': {
        get: {
          summary: 'server-sent events: `status` (the job), `progress` ({ queries, eta }), `preview` ({ rounds, queries, image: PNG data URL of the map so far })',
          parameters: [id],
          responses: { 200: { description: 'text/event-stream' }, 404: error },
        },
      },
      '/v1/explanations/{id}/curves': {
        get: {
          summary: 'deletion/insertion curves of the finished map (RISE protocol; computed on the first request): { target, pixelsPerStep, deletion: { values, auc }, insertion: { values, auc } }',
          parameters: [id],
          responses: { 200: { description: 'the curves' }, 404: error, 409: error },
        },
      },
      '/v1/explanations/{id}/files/{name}': {
        get: {
          summary: 'result files (add ?download for an attachment)',
          parameters: [id, { name: 'name', in: 'path', required: true, schema: { enum: [...RESULT_FILES] } }],
          responses: { 200: { description: 'the file' }, 404: error, 409: error },
        },
      },
    },
  };
}
