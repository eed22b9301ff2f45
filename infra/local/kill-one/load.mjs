// Steady load for infra/local/kill-one-test.sh (issue #14): non-streamed and streamed chat calls
// through the edge's load balancer and admin commands (issue an API key) through command-side's,
// for DURATION_S seconds. Writes every outcome to OUT (JSON): per kind, the answers by class, the
// failures with their time (ms since the start) and class, and the API keys the commands created.
// No dependencies: Node 20's fetch. Bounded: each request times out after 30 s.
//   EDGE, COMMAND (base URLs), API_KEY, ADMIN_TOKEN, TENANT_ID, MODEL, DURATION_S (60),
//   CHAT_RATE (calls/s, 40), STREAMS (concurrent streams, 4), COMMAND_RATE (commands/s, 2), OUT, STOP_FILE
import { existsSync, writeFileSync } from 'node:fs';

const env = (k, d) => process.env[k] ?? d;
const EDGE = env('EDGE', 'http://127.0.0.1:5000');
const COMMAND = env('COMMAND', 'http://127.0.0.1:5001');
const DURATION_MS = Number(env('DURATION_S', '60')) * 1000;
const CHAT_RATE = Number(env('CHAT_RATE', '40'));
const STREAMS = Number(env('STREAMS', '4'));
const COMMAND_RATE = Number(env('COMMAND_RATE', '2'));
const MODEL = env('MODEL', 'kill-model');
const t0 = Date.now();
const now = () => Date.now() - t0;
// the load ends at DURATION_S, or earlier when the file STOP_FILE exists
const STOP_FILE = env('STOP_FILE', '');
const over = () => now() >= DURATION_MS || (STOP_FILE !== '' && existsSync(STOP_FILE));

const result = {
  startedAt: new Date(t0).toISOString(),
  chat: { sent: 0, ok: 0, failures: [] },
  stream: { sent: 0, ok: 0, failures: [] },
  command: { sent: 0, ok: 0, failures: [], apiKeyIds: [] },
};

// connection: the socket failed or closed (no HTTP answer, or an answer cut short);
// http-<status>: an HTTP answer other than the expected one; incomplete: 200 without its end
function classify(e) {
  const code = e?.cause?.code ?? e?.code ?? '';
  if (e?.name === 'TimeoutError') return 'timeout';
  return code ? `connection:${code}` : `connection:${e?.message ?? e}`;
}

async function chat() {
  const at = now();
  result.chat.sent++;
  try {
    const r = await fetch(`${EDGE}/v1/chat/completions`, {
      method: 'POST', signal: AbortSignal.timeout(30_000),
      headers: { authorization: `Bearer ${process.env.API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: `kill-one ${at}` }], max_tokens: 16 }),
    });
    const body = await r.text();
    if (r.status === 200 && JSON.parse(body).choices?.length === 1) result.chat.ok++;
    else result.chat.failures.push({ at, class: `http-${r.status}`, body: body.slice(0, 200) });
  } catch (e) {
    result.chat.failures.push({ at, class: classify(e) });
  }
}

async function streamLoop() {
  while (!over()) {
    const at = now();
    result.stream.sent++;
    try {
      const r = await fetch(`${EDGE}/v1/chat/completions`, {
        method: 'POST', signal: AbortSignal.timeout(30_000),
        headers: { authorization: `Bearer ${process.env.API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, stream: true, messages: [{ role: 'user', content: `kill-one stream ${at}` }], max_tokens: 24 }),
      });
      const body = await r.text();
      if (r.status === 200 && body.includes('data: [DONE]')) result.stream.ok++;
      else result.stream.failures.push({ at, class: r.status === 200 ? 'incomplete' : `http-${r.status}`, body: body.slice(-200) });
    } catch (e) {
      result.stream.failures.push({ at, class: classify(e) });
    }
  }
}

async function command(n) {
  const at = now();
  result.command.sent++;
  try {
    const r = await fetch(`${COMMAND}/admin/v1/tenants/${process.env.TENANT_ID}/api-keys`, {
      method: 'POST', signal: AbortSignal.timeout(30_000),
      headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `kill-one-${n}` }),
    });
    const body = await r.text();
    if (r.status === 201) {
      result.command.ok++;
      result.command.apiKeyIds.push(JSON.parse(body).apiKeyId);
    } else {
      result.command.failures.push({ at, class: `http-${r.status}`, body: body.slice(0, 200) });
    }
  } catch (e) {
    result.command.failures.push({ at, class: classify(e) });
  }
}

// fixed-rate schedules: a call is started every 1/rate s whatever the previous one does
function every(rate, fn) {
  const pending = [];
  let n = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (over()) {
        clearInterval(timer);
        Promise.all(pending).then(resolve);
        return;
      }
      pending.push(fn(n++));
    }, 1000 / rate);
  });
}

await Promise.all([
  every(CHAT_RATE, chat),
  every(COMMAND_RATE, command),
  ...Array.from({ length: STREAMS }, streamLoop),
]);
result.endedAt = new Date().toISOString();
writeFileSync(env('OUT', 'kill-one-load.json'), JSON.stringify(result, null, 1));
console.log(`load: chat ${result.chat.ok}/${result.chat.sent} ok, streams ${result.stream.ok}/${result.stream.sent} ok, commands ${result.command.ok}/${result.command.sent} ok`);
