// HTTP from inside the cluster through busybox nc, as the client pod sends it (cluster-client.ts):
// the request's text, one shell script for a batch of requests, and the replies parsed from its output.

export interface HttpRequest {
  url: string
  method?: 'GET' | 'POST'
  body?: string
}

export interface HttpReply {
  status: number
  body: string
  raw: string
}

// HTTP/1.1 with Host and Connection: close, so that the server ends the connection (and nc) after its
// reply: a mesh's sidecar (Istio's Envoy) refuses HTTP/1.0 with 426 Upgrade Required.
export function httpRequestText(url: URL, method: string, body?: string): string {
  return [
    `${method} ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    'Connection: close',
    ...(body !== undefined ? ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`] : []),
    '', body ?? '',
  ].join('\r\n')
}

// An HTTP/1.1 reply may come chunked (a proxy in between, a body written in parts): its body is the chunks joined.
export function parseHttpReply(raw: string): HttpReply {
  const split = raw.indexOf('\r\n\r\n')
  const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(raw)?.[1] ?? 0)
  const body = split >= 0 ? raw.slice(split + 4) : ''
  const chunked = split >= 0 && /^transfer-encoding:[^\r\n]*\bchunked\b/im.test(raw.slice(0, split))
  return { status, body: chunked ? dechunk(body) : body, raw }
}

// The chunks' data up to the last (size 0) chunk; sizes count bytes, so the text is cut as UTF-8.
function dechunk(text: string): string {
  const bytes = Buffer.from(text)
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const eol = bytes.indexOf('\r\n', at)
    const size = eol < 0 ? Number.NaN : Number.parseInt(bytes.subarray(at, eol).toString().split(';')[0]!, 16)
    if (!Number.isFinite(size) || size === 0) break
    parts.push(bytes.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
  return Buffer.concat(parts).toString()
}

// One exec for a batch of requests: each request text goes base64-encoded as an argument
// (never as shell code) to nc; after each reply (nc's stderr with it) a line "<marker> <i>
// <nc's exit> <centiseconds nc took>" ends it (the time from /proc/uptime, read by the shell's
// own `read`: no fork per request). The replies stream out as they come: the exec's output is its progress.
export function httpBatchCommand(requests: HttpRequest[], marker: string, waitSeconds: number): string[] {
  const script = [
    'm=$1; w=$2; shift 2; i=0',
    'now() { { IFS=". " read a b _ < /proc/uptime; } 2>/dev/null || { a=0; b=0; }; u=$a$b; }',
    'while [ $# -gt 0 ]; do',
    '  now; t=$u',
    '  printf %s "$3" | base64 -d | nc -w "$w" "$1" "$2" 2>&1',
    '  s=$?',
    '  now; printf \'\\n%s %s %s %s\\n\' "$m" "$i" "$s" "$((u - t))"',
    '  i=$((i+1)); shift 3',
    'done',
  ].join('\n')
  const args = requests.flatMap((r) => {
    const url = new URL(r.url)
    const text = httpRequestText(url, r.method ?? 'GET', r.body)
    return [url.hostname.replace(/^\[(.*)\]$/, '$1'), url.port || '80', Buffer.from(text).toString('base64')]
  })
  return ['sh', '-c', script, 'sh', marker, String(waitSeconds), ...args]
}

export interface BatchReply {
  raw: string
  ncExit: number
  ms: number // how long nc took, connect to exit
}

// The batch's output cut at its markers: what nc printed for each request, how nc exited, and how long it took.
export function parseHttpBatch(output: string, marker: string): BatchReply[] {
  const ends = new RegExp(`\\n${marker} (\\d+) (\\d+) (-?\\d+)\\n`, 'g')
  const replies: BatchReply[] = []
  let from = 0
  for (const m of output.matchAll(ends)) {
    if (Number(m[1]) !== replies.length) throw new Error(`HTTP batch output out of order: reply ${m[1]} after ${replies.length} replies`)
    replies.push({ raw: output.slice(from, m.index), ncExit: Number(m[2]), ms: Math.max(0, Number(m[3])) * 10 })
    from = m.index + m[0].length
  }
  return replies
}

// What a request without an HTTP answer got, and after how long: nc exits 0 both when the
// server closed the connection without a word (a server that died on it, a container restarted
// under it) and when the server stayed silent for its whole -w after the request was sent; the
// time tells the two apart, and says which one a slow cluster would explain.
export function describeUnanswered(got: BatchReply, waitSeconds: number): string {
  const after = `after ${(got.ms / 1000).toFixed(1)}s`
  const text = got.raw.trim().slice(0, 300)
  if (got.ncExit !== 0 || text) return `nc exited ${got.ncExit} ${after}: ${text}`
  return got.ms >= waitSeconds * 1000 - 500
    ? `nc exited 0 ${after} with nothing read: the connection was open and the server sent no reply within nc's -w ${waitSeconds}s`
    : `nc exited 0 ${after} with nothing read: the server closed the connection without a reply`
}

// nc's -w takes whole seconds.
export const ncWaitSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))
