import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { describeUnanswered, type HttpRequest, httpBatchCommand, httpRequestText, ncWaitSeconds, parseHttpBatch, parseHttpReply } from './http-over-nc.ts'

test('HTTP requests and replies as sent through nc', () => {
  expect(httpRequestText(new URL('http://web:9000/store'), 'POST', '{"a": 1}'))
    .toBe('POST /store HTTP/1.1\r\nHost: web:9000\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{"a": 1}')
  expect(parseHttpReply('HTTP/1.1 202 Accepted\r\nX: y\r\n\r\n{"hash":"x"}')).toMatchObject({ status: 202, body: '{"hash":"x"}' })
  expect(parseHttpReply('').status).toBe(0)
})

test('requests are HTTP/1.1 with Host and Connection: close, which a mesh sidecar accepts (HTTP/1.0 gets 426)', () => {
  const [requestLine, ...headers] = httpRequestText(new URL('http://web-0.web.ns.svc.cluster.local:9898/version?x=1'), 'GET').split('\r\n')
  expect(requestLine).toBe('GET /version?x=1 HTTP/1.1')
  expect(headers.slice(0, 2)).toEqual(['Host: web-0.web.ns.svc.cluster.local:9898', 'Connection: close'])
})

test('a chunked reply\'s body is its chunks joined', () => {
  const raw = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer: envoy\r\n\r\n7\r\n{"versi\r\nd;ext=1\r\non": "6.7.0"}\r\n0\r\n\r\n'
  expect(parseHttpReply(raw)).toMatchObject({ status: 200, body: '{"version": "6.7.0"}' })
  expect(parseHttpReply('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok').body).toBe('ok')
})

describe('a batch of HTTP requests in one exec', () => {
  // The script as the client pod runs it, here with a stand-in for nc that answers with what it was asked.
  function runBatch(requests: HttpRequest[], marker: string): string {
    const bin = mkdtempSync(join(tmpdir(), 'fake-nc-'))
    writeFileSync(join(bin, 'nc'), [
      '#!/bin/sh',
      'req=$(cat)',
      'if [ "$3" = down ]; then echo "nc: can\'t connect to remote host: Connection refused" >&2; exit 1; fi',
      'if [ "$3" = closes ]; then exit 0; fi',
      'printf \'HTTP/1.0 200 OK\\r\\nX: y\\r\\n\\r\\n%s:%s -w %s %s\' "$3" "$4" "$2" "$(printf %s "$req" | head -n 1 | tr -d \'\\r\')"',
    ].join('\n'))
    chmodSync(join(bin, 'nc'), 0o755)
    try {
      const [cmd, ...args] = httpBatchCommand(requests, marker, 15)
      return execFileSync(cmd!, args, { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } })
    } finally {
      rmSync(bin, { recursive: true })
    }
  }

  test('each request goes to its own host and port, and its reply comes back in order, nc\'s complaint with it', () => {
    const marker = '--sc-reply-test--'
    const out = runBatch([
      { url: 'http://10.96.0.12:8080/cgi-bin/visit?id=v1' },
      { url: 'http://web/store', method: 'POST', body: '{"a": "b c"}' },
      { url: 'http://down:9898/' },
      { url: 'http://[fd00::1]:8080/cgi-bin/visit?id=v2' },
      { url: 'http://closes/' },
    ], marker)
    const replies = parseHttpBatch(out, marker)
    expect(replies.map((r) => r.ncExit)).toEqual([0, 0, 1, 0, 0])
    // Each took a time the shell read from /proc/uptime: a stand-in nc takes well under the -w.
    expect(replies.every((r) => r.ms >= 0 && r.ms < 15_000), JSON.stringify(replies.map((r) => r.ms))).toBe(true)
    expect(describeUnanswered(replies[4]!, 15)).toMatch(/^nc exited 0 after \d+\.\ds with nothing read: the server closed the connection without a reply$/)
    expect(replies.map((r) => parseHttpReply(r.raw).body)).toEqual([
      '10.96.0.12:8080 -w 15 GET /cgi-bin/visit?id=v1 HTTP/1.1',
      'web:80 -w 15 POST /store HTTP/1.1',
      '',
      'fd00::1:8080 -w 15 GET /cgi-bin/visit?id=v2 HTTP/1.1',
      '',
    ])
    expect(replies[2]!.raw).toMatch(/^nc: can't connect to remote host: Connection refused\n$/)
    expect(parseHttpReply(replies[2]!.raw).status).toBe(0)
  })

  test('a batch cut short yields the replies that came, and a reply that merely looks like a marker is no end', () => {
    const m = '--sc-reply-x--'
    expect(parseHttpBatch(`HTTP/1.0 200 OK\r\n\r\na\n${m} 0 0 12\nHTTP/1.0 200 OK\r\n\r\n${m} 9 0 1 in a body\nHTTP/1.0 200 OK\r\n\r\npartial`, m))
      .toEqual([{ raw: 'HTTP/1.0 200 OK\r\n\r\na', ncExit: 0, ms: 120 }])
    expect(() => parseHttpBatch(`\n${m} 1 0 3\n`, m)).toThrow(/out of order/)
  })

  // CI (stop 32): a visit got "no HTTP answer (nc exited 0: )", which could be a server that died
  // on the request or one that was slow; the time nc took tells which.
  test('an unanswered request says what nc got and after how long: closed without a reply, or silent for the whole -w', () => {
    expect(describeUnanswered({ raw: '', ncExit: 0, ms: 300 }, 15)).toBe('nc exited 0 after 0.3s with nothing read: the server closed the connection without a reply')
    expect(describeUnanswered({ raw: '', ncExit: 0, ms: 30_020 }, 15)).toBe("nc exited 0 after 30.0s with nothing read: the connection was open and the server sent no reply within nc's -w 15s")
    expect(describeUnanswered({ raw: 'nc: bad address \'x\'\n', ncExit: 1, ms: 10 }, 15)).toBe("nc exited 1 after 0.0s: nc: bad address 'x'")
  })

  test('nc waits whole seconds, at least one', () => {
    expect([ncWaitSeconds(15_000), ncWaitSeconds(22_500), ncWaitSeconds(200)]).toEqual([15, 23, 1])
  })
})
