/**
 * The playground's calls to the edge's OpenAI-format API (issue #13): a chat completion sent with a
 * pasted API key, streamed (`stream: true`, Server-Sent Events read from `fetch`'s body stream) or
 * not. The key lives only in memory: in the page's state, or handed from the key dialog to the
 * playground through {@link handOffKey} (never in the URL, never in storage).
 */

/** What to send: the edge's base URL (`config.json` `edgeUrl`), the key, the model and one user message. */
export interface ChatInput {
  edgeUrl: string
  apiKey: string
  model: string
  message: string
  stream: boolean
}

/** Token counts of a call, as the edge reports them (`usage`). */
export interface ChatUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}

/** The answer so far (streamed) or whole: text, `finish_reason` (null until known) and usage (null until known). */
export interface ChatResult {
  content: string
  finishReason: string | null
  usage: ChatUsage | null
}

/** The edge's refusal: HTTP status and its OpenAI error JSON's `error.message`, `type` and `code`. */
export class EdgeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type?: string,
    readonly code?: string,
  ) {
    super(message)
  }
}

/** @returns `{url, init}` of `POST {edgeUrl}/v1/chat/completions`; a stream asks for the usage chunk too */
export function chatRequest(input: ChatInput): { url: string; init: RequestInit } {
  const body: Record<string, unknown> = {
    model: input.model,
    messages: [{ role: 'user', content: input.message }],
  }
  if (input.stream) {
    body.stream = true
    body.stream_options = { include_usage: true }
  }
  return {
    url: `${input.edgeUrl.replace(/\/+$/, '')}/v1/chat/completions`,
    init: {
      method: 'POST',
      // Authorization and Content-Type only: the edge's CORS policy allows no other request header
      headers: { Authorization: `Bearer ${input.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
    },
  }
}

/**
 * An incremental Server-Sent Events parser: {@link feed} takes text as it arrives, split anywhere,
 * and returns the `data` of every event completed by it (several `data:` lines joined with `\n`).
 * Lines end with `\n`, `\r\n` or `\r`; comments (`:`) and other fields are skipped.
 */
export class SseParser {
  private buffer = ''
  private data: string[] = []

  feed(text: string): string[] {
    this.buffer += text
    const events: string[] = []
    for (;;) {
      const match = /\r\n|\n|\r/.exec(this.buffer)
      // a lone '\r' at the end may be the first half of '\r\n': wait for the next piece
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) break
      const line = this.buffer.slice(0, match.index)
      this.buffer = this.buffer.slice(match.index + match[0].length)
      this.line(line, events)
    }
    return events
  }

  /** @returns the last event when the stream ended without its blank line */
  end(): string[] {
    const events: string[] = []
    if (this.buffer) this.line(this.buffer, events)
    this.buffer = ''
    this.line('', events)
    return events
  }

  private line(line: string, events: string[]): void {
    if (line === '') {
      if (this.data.length) events.push(this.data.join('\n'))
      this.data = []
      return
    }
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.data.push(value)
  }
}

/** Adds one `chat.completion.chunk` (or the final usage chunk) to `result`. */
export function applyChunk(result: ChatResult, chunk: { choices?: { delta?: { content?: string | null };
  finish_reason?: string | null }[]; usage?: ChatUsage | null }): void {
  const choice = chunk.choices?.[0]
  if (choice?.delta?.content) result.content += choice.delta.content
  if (choice?.finish_reason) result.finishReason = choice.finish_reason
  if (chunk.usage) result.usage = chunk.usage
}

/** @returns the result of a whole (non-streamed) `chat.completion` */
export function fromCompletion(json: { choices?: { message?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: ChatUsage | null }): ChatResult {
  const choice = json.choices?.[0]
  return { content: choice?.message?.content ?? '', finishReason: choice?.finish_reason ?? null, usage: json.usage ?? null }
}

/** @returns the error of an OpenAI error JSON `{"error":{"message","type","code"}}` (or of any other body) */
export function edgeError(status: number, body: string): EdgeError {
  try {
    const error = JSON.parse(body)?.error
    if (error && typeof error.message === 'string') return new EdgeError(status, error.message, error.type, error.code ?? undefined)
  } catch {
    // not JSON: said below
  }
  return new EdgeError(status, body.trim() ? body.trim().slice(0, 300) : `HTTP ${status}`)
}

/**
 * Sends one chat completion to the edge; `onUpdate` gets the answer after each streamed chunk.
 *
 * @throws EdgeError the edge's refusal (401 bad key, 403 model not allowed, 404 unknown model,
 *         429 quota…) or an error event in the stream; a TypeError when the edge cannot be reached
 *         (or its CORS policy refuses this origin)
 */
export async function sendChat(input: ChatInput, onUpdate: (result: ChatResult) => void = () => {},
  fetchImpl: typeof fetch = fetch, signal?: AbortSignal): Promise<ChatResult> {
  const { url, init } = chatRequest(input)
  const response = await fetchImpl(url, { ...init, signal })
  if (!response.ok) throw edgeError(response.status, await response.text())
  if (!input.stream || !response.body) {
    const result = fromCompletion(await response.json())
    onUpdate(result)
    return result
  }
  const result: ChatResult = { content: '', finishReason: null, usage: null }
  const parser = new SseParser()
  const decoder = new TextDecoder()
  const reader = response.body.getReader()
  const handle = (data: string): boolean => {
    if (data === '[DONE]') return true
    const chunk = JSON.parse(data)
    if (chunk.error) throw edgeError(response.status, data)
    applyChunk(result, chunk)
    onUpdate({ ...result })
    return false
  }
  for (;;) {
    const { value, done } = await reader.read()
    const events = done ? [...parser.feed(decoder.decode()), ...parser.end()] : parser.feed(decoder.decode(value, { stream: true }))
    for (const data of events) {
      if (handle(data)) {
        await reader.cancel().catch(() => {})
        return result
      }
    }
    if (done) return result
  }
}

/** @returns the model ids `GET {edgeUrl}/v1/models` lists for `apiKey` (those the key may call) */
export async function keyModels(edgeUrl: string, apiKey: string, fetchImpl: typeof fetch = fetch): Promise<string[]> {
  const response = await fetchImpl(`${edgeUrl.replace(/\/+$/, '')}/v1/models`, {
    headers: { Authorization: `Bearer ${apiKey}` }, credentials: 'omit' })
  const text = await response.text()
  if (!response.ok) throw edgeError(response.status, text)
  return ((JSON.parse(text)?.data ?? []) as { id: string }[]).map((m) => m.id)
}

let handed: { apiKey: string; tenantId: string } | null = null

/** Hands a just-issued key to the playground, in memory only (the dialog's "Try it in the playground"). */
export function handOffKey(apiKey: string, tenantId: string): void {
  handed = { apiKey, tenantId }
}

/** @returns the handed key once, then forgets it */
export function takeHandedKey(): { apiKey: string; tenantId: string } | null {
  const value = handed
  handed = null
  return value
}
