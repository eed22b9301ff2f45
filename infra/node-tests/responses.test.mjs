// The npm `openai` client (5.x, https://github.com/openai/openai-node) calling the edge's OpenAI
// Responses API (`client.responses.create`, streamed and not). Same environment and routes as
// ollama.test.mjs: EDGE_URL, LLMPROXY_KEY, `gpt-4o-mini` (→ simulator) and `tooly` (→ a recorded
// OpenAI tool-call upstream).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const host = process.env.EDGE_URL;
const key = process.env.LLMPROXY_KEY;
assert.ok(host && key, 'EDGE_URL and LLMPROXY_KEY must be set');

const client = new OpenAI({ apiKey: key, baseURL: `${host}/v1`, maxRetries: 0 });

// the simulator counts 1 token per word, + 4 per message + 3 per request
const words = (n) => Array.from({ length: n }, () => 'node').join(' ');

test('responses.create, streamed and not: same text, usage, typed events in order', async () => {
  const whole = await client.responses.create({ model: 'gpt-4o-mini', input: words(23), store: false });
  assert.equal(whole.object, 'response');
  assert.match(whole.id, /^resp_/);
  assert.equal(whole.status, 'completed');
  assert.ok(whole.output_text.length > 0);
  assert.equal(whole.usage.input_tokens, 30);
  assert.equal(whole.usage.output_tokens, whole.output_text.split(' ').length);

  const stream = await client.responses.create({ model: 'gpt-4o-mini', input: words(23), store: false, stream: true });
  const types = [];
  let text = '';
  let completed;
  for await (const event of stream) {
    assert.equal(event.sequence_number, types.length);
    types.push(event.type);
    if (event.type === 'response.output_text.delta') text += event.delta;
    if (event.type === 'response.completed') completed = event.response;
  }
  assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
  assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done',
    'response.completed']);
  assert.equal(text, whole.output_text);
  assert.equal(completed.usage.input_tokens, 30);
  assert.equal(completed.usage.output_tokens, whole.usage.output_tokens);
});

test('responses.create with a function tool, streamed: whole function calls', async () => {
  const tools = [{
    type: 'function', name: 'get_weather', description: 'Current weather', strict: false,
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  }];
  const stream = await client.responses.create({ model: 'tooly', input: 'Weather in Paris?', tools, stream: true, store: false });
  const done = [];
  let completed;
  for await (const event of stream) {
    if (event.type === 'response.function_call_arguments.done') done.push(event.arguments);
    if (event.type === 'response.completed') completed = event.response;
  }
  assert.deepEqual(done, ['{"location":"Paris"}', '{}']);
  const calls = completed.output.filter((item) => item.type === 'function_call');
  assert.deepEqual(calls.map((c) => c.name), ['get_weather', 'get_time']);
  assert.deepEqual(JSON.parse(calls[0].arguments), { location: 'Paris' });
  assert.equal(completed.usage.output_tokens, 14);
});
