import { describe, expect, it } from 'vitest'
import { chatRequest, edgeError, EdgeError, handOffKey, keyModels, sendChat, SseParser, takeHandedKey } from './playground'

const INPUT = { edgeUrl: 'http://localhost:5000/', apiKey: 'llmp_secret', model: 'gpt-4o-mini', message: 'Hello?', stream: false }

/** a Response whose body arrives in the given pieces (as bytes, possibly splitting UTF-8 characters) */
function streamed(pieces: (string | Uint8Array)[], status = 200): Response {
  const encoder = new TextEncoder()
  return new Response(new ReadableStream<Uint8Array>({
    start(controller) {
      for (const p of pieces) controller.enqueue(typeof p === 'string' ? encoder.encode(p) : p)
      controller.close()
    },
  }), { status, headers: { 'Content-Type': 'text/event-stream' } })
}

const chunk = (content: string | null, finish: string | null = null) =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: content === null ? {} : { content },
    finish_reason: finish }] })}\n\n`

describe('chatRequest', () => {
  it('builds a non-streamed POST to /v1/chat/completions with the key as a bearer token and nothing else', () => {
    const { url, init } = chatRequest(INPUT)
    expect(url).toBe('http://localhost:5000/v1/chat/completions')
    expect(init.method).toBe('POST')
    expect(init.headers).toEqual({ Authorization: 'Bearer llmp_secret', 'Content-Type': 'application/json' })
    expect(init.credentials).toBe('omit')
    expect(JSON.parse(init.body as string)).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello?' }] })
  })

  it('asks a stream for its usage chunk', () => {
    const { init } = chatRequest({ ...INPUT, stream: true })
    expect(JSON.parse(init.body as string)).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello?' }],
      stream: true, stream_options: { include_usage: true } })
  })
})

describe('SseParser', () => {
  it('returns each event once its blank line arrives, whatever the split', () => {
    const text = 'data: {"a":1}\n\n: keep-alive\n\nevent: x\ndata: {"b":2}\n\ndata: [DONE]\n\n'
    for (let size = 1; size <= text.length; size++) {
      const parser = new SseParser()
      const events: string[] = []
      for (let i = 0; i < text.length; i += size) events.push(...parser.feed(text.slice(i, i + size)))
      events.push(...parser.end())
      expect(events, `pieces of ${size}`).toEqual(['{"a":1}', '{"b":2}', '[DONE]'])
    }
  })

  it('reads CRLF and CR line ends, joins multi-line data, keeps a value without its one leading space', () => {
    const parser = new SseParser()
    expect(parser.feed('data:x\r\ndata:  y\r\n\r')).toEqual([])
    expect(parser.feed('\ndata: z\r\r')).toEqual(['x\n y'])
    // a '\r' at the end of a piece may be half of '\r\n': one line end with the '\n' that follows
    expect(parser.feed('\n')).toEqual(['z'])
    expect(parser.end()).toEqual([])
  })

  it('gives the last event when the stream ends without a blank line', () => {
    const parser = new SseParser()
    expect(parser.feed('data: [DONE]')).toEqual([])
    expect(parser.end()).toEqual(['[DONE]'])
  })
})

describe('sendChat', () => {
  it('shows a stream token by token, then its finish reason and usage', async () => {
    const seen: string[] = []
    const usage = `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } })}\n\n`
    const body = chunk('alpha') + chunk(' bravo') + chunk(' é', null) + chunk(null, 'stop') + usage + 'data: [DONE]\n\n'
    const bytes = new TextEncoder().encode(body)
    // split inside the two-byte 'é' and inside events
    const cut = body.indexOf('é') + 13
    const requests: [string, RequestInit][] = []
    const result = await sendChat({ ...INPUT, stream: true }, (r) => seen.push(r.content),
      async (url, init) => {
        requests.push([String(url), init as RequestInit])
        return streamed([bytes.slice(0, 20), bytes.slice(20, cut), bytes.slice(cut)])
      })
    expect(seen).toEqual(['alpha', 'alpha bravo', 'alpha bravo é', 'alpha bravo é', 'alpha bravo é'])
    expect(result).toEqual({ content: 'alpha bravo é', finishReason: 'stop',
      usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } })
    expect(requests[0][0]).toBe('http://localhost:5000/v1/chat/completions')
  })

  it('reads a whole completion', async () => {
    const result = await sendChat(INPUT, undefined, async () => new Response(JSON.stringify({ object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'kilo lima' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 } }), { status: 200 }))
    expect(result).toEqual({ content: 'kilo lima', finishReason: 'length', usage: { prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 } })
  })

  it.each([
    [401, 'invalid_api_key', 'Incorrect API key provided.'],
    [403, 'model_not_allowed', 'This API key may not call model gpt-4o.'],
    [429, 'rate_limit_exceeded', 'Tenant quota exceeded: requests per minute.'],
  ])('turns a %i into the edge error with its message', async (status, code, message) => {
    const call = sendChat(INPUT, undefined, async () => new Response(JSON.stringify({ error: { message, type: 'x', param: null, code } }),
      { status }))
    await expect(call).rejects.toEqual(new EdgeError(status, message, 'x', code))
    await expect(call).rejects.toMatchObject({ status, code, message })
  })

  it('stops at an error event in the stream', async () => {
    const body = chunk('alpha') + `data: ${JSON.stringify({ error: { message: 'upstream failed', type: 'server_error', code: 'upstream_error' } })}\n\n`
    await expect(sendChat({ ...INPUT, stream: true }, undefined, async () => streamed([body])))
      .rejects.toMatchObject({ status: 200, message: 'upstream failed', code: 'upstream_error' })
  })
})

describe('edge errors, models and the key hand-off', () => {
  it('says what a body without an OpenAI error holds', () => {
    expect(edgeError(502, '<html>bad gateway</html>').message).toBe('<html>bad gateway</html>')
    expect(edgeError(503, '').message).toBe('HTTP 503')
  })

  it('lists the models of a key', async () => {
    const urls: string[] = []
    const models = await keyModels('http://edge:5000', 'llmp_k', async (url) => {
      urls.push(String(url))
      return new Response(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }, { id: 'acme/chat', object: 'model' }] }))
    })
    expect(models).toEqual(['gpt-4o-mini', 'acme/chat'])
    expect(urls).toEqual(['http://edge:5000/v1/models'])
  })

  it('hands a key over once, in memory', () => {
    expect(takeHandedKey()).toBeNull()
    handOffKey('llmp_new', 't1')
    expect(takeHandedKey()).toEqual({ apiKey: 'llmp_new', tenantId: 't1' })
    expect(takeHandedKey()).toBeNull()
    expect(JSON.stringify(window.localStorage)).not.toContain('llmp_new')
  })
})
