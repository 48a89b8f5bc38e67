export { openAIErrorBody as responsesErrorBody } from '../openai-chat/errors.js';
