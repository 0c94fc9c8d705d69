/**
 * `lrsal/testing`: test doubles and QA data, kept out of the main API. A stand-in label API / vision chat model
 * serving the bundled classifier over HTTP (with fault hooks), and the answer-check cases of the semantic objective.
 */
export { startStandInServer, type StandInOptions, type StandInServer } from './stand-in/stand-in.js';
export { ANSWER_CHECK_CASES, imagenetClassTexts, runAnswerCheck, type AnswerCheckResult, type ClassText } from './embeddings/answer-check.js';
