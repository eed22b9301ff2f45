// The npm `ollama` client (0.6.x, https://github.com/ollama/ollama-js) against a running proxy-edge.
// Needs EDGE_URL (e.g. http://127.0.0.1:5000) and LLMPROXY_KEY (an API key of the edge) in the
// environment, and the routes the edge test sets up: `gpt-4o-mini` (→ simulator) and `tooly`
// (→ a recorded OpenAI tool-call upstream). Run: `npm ci && node --test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ollama } from 'ollama';

const host = process.env.EDGE_URL;
const key = process.env.LLMPROXY_KEY;
assert.ok(host && key, 'EDGE_URL and LLMPROXY_KEY must be set');

// Ollama has no keys: the gateway's key goes in the Authorization header.
const ollama = new Ollama({ host, headers: { Authorization: `Bearer ${key}` } });

// the simulator counts 1 token per word, + 4 per message + 3 per request
const words = (n) => Array.from({ length: n }, () => 'node').join(' ');

test('chat, not streamed: text, counts and done_reason', async () => {
  const r = await ollama.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: words(20) }] });
  assert.equal(r.model, 'gpt-4o-mini');
  assert.equal(r.message.role, 'assistant');
  assert.ok(r.message.content.length > 0);
  assert.equal(r.done, true);
  assert.equal(r.done_reason, 'stop');
  assert.equal(r.prompt_eval_count, 27);
  assert.equal(r.eval_count, r.message.content.split(' ').length);
  assert.ok(r.total_duration > 0);
});

test('chat, streamed: the parts add up to the non-streamed text', async () => {
  const whole = await ollama.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: words(21) }] });
  const parts = [];
  let last;
  for await (const part of await ollama.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: words(21) }], stream: true })) {
    parts.push(part.message.content);
    last = part;
  }
  assert.ok(parts.length > 2);
  assert.equal(parts.join(''), whole.message.content);
  assert.equal(last.done, true);
  assert.equal(last.done_reason, 'stop');
  assert.equal(last.prompt_eval_count, 28);
  assert.equal(last.eval_count, whole.eval_count);
});

test('generate with num_predict stops at the limit', async () => {
  const r = await ollama.generate({ model: 'gpt-4o-mini', prompt: words(22), options: { num_predict: 3 } });
  assert.equal(r.response.split(' ').length, 3);
  assert.equal(r.done_reason, 'length');
  assert.equal(r.prompt_eval_count, 29);
  assert.equal(r.eval_count, 3);
});

test('tool calls, streamed and not, arrive with their arguments as objects', async () => {
  const tools = [{
    type: 'function',
    function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } },
  }];
  const r = await ollama.chat({ model: 'tooly', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
  assert.deepEqual(r.message.tool_calls, [{ function: { name: 'get_weather', arguments: { location: 'San Francisco, CA' } } }]);
  assert.equal(r.prompt_eval_count, 472);
  assert.equal(r.eval_count, 89);

  const calls = [];
  for await (const part of await ollama.chat({ model: 'tooly', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools, stream: true })) {
    calls.push(...(part.message.tool_calls ?? []));
  }
  assert.deepEqual(calls, [
    { function: { name: 'get_weather', arguments: { location: 'Paris' } } },
    { function: { name: 'get_time', arguments: {} } },
  ]);
});

test('list, show and errors', async () => {
  const list = await ollama.list();
  assert.ok(list.models.some((m) => m.name === 'gpt-4o-mini'));
  const show = await ollama.show({ model: 'gpt-4o-mini' });
  assert.deepEqual(show.capabilities, ['completion', 'tools']);
  await assert.rejects(ollama.show({ model: 'llama9' }), (e) => e.status_code === 404 && e.error === "model 'llama9' not found");
  const anonymous = new Ollama({ host });
  await assert.rejects(anonymous.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), (e) => e.status_code === 401);
});
