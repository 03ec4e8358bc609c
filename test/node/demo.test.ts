import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { RawClient, runNode } from './support.js';

const run = runNode;

async function until(check: () => boolean, what: () => string) {
  const deadline = Date.now() + 15000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('npm start (demo/server.mjs)', () => {
  it('says in one line that the port is busy and how to pick another, instead of a stack trace', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const demo = run(['demo/server.mjs', '--port', String(port)]);
      assert.equal(await demo.exited, 1);
      const lines = demo.errors().trim().split('\n');
      assert.equal(lines.length, 1, demo.errors());
      assert.match(lines[0]!, new RegExp(`port ${port} is busy.*PORT=`));
    } finally {
      blocker.close();
    }
  });

  it('prints the address the README gives', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const demo = run(['demo/server.mjs', '--port', '0']);
    try {
      await until(
        () => /demo: http:\/\/\S+:\d+\//.test(demo.output()),
        () => `no address: ${demo.errors()}`,
      );
      const host = /demo: http:\/\/(\S+):\d+\//.exec(demo.output())![1]!;
      assert.match(readme, new RegExp(`demo at http://${host.replace(/\./g, '\\.')}:8000`));
    } finally {
      demo.child.kill('SIGTERM');
      await demo.exited;
    }
  });
});

describe('npm start against hostile request targets', () => {
  it('answers targets new URL cannot parse with 400 and keeps serving', async () => {
    const demo = run(['demo/server.mjs', '--port', '0']);
    try {
      await until(
        () => /demo: http:\/\/\S+:\d+\//.test(demo.output()),
        () => `no address: ${demo.errors()}`,
      );
      const port = Number(/demo: http:\/\/\S+:(\d+)\//.exec(demo.output())![1]);
      for (const target of ['//', '//x:99999/', '//[::1/ws']) {
        const reply = await new Promise<string>((resolve) => {
          let got = '';
          const sock = connect(port, '127.0.0.1', () => sock.write(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`));
          sock.on('data', (d) => {
            got += d;
            if (got.includes('\r\n\r\n')) sock.destroy();
          });
          sock.on('close', () => resolve(got));
          sock.on('error', () => {});
        });
        assert.match(reply, /^HTTP\/1\.1 (400|404)/, target);
      }
      assert.equal((await fetch(`http://127.0.0.1:${port}/config.json`)).status, 200, 'still serving');
    } finally {
      demo.child.kill('SIGTERM');
      await demo.exited;
    }
  });
});

describe("docs/server.md's server example", () => {
  it('runs as written (on port 0) and echoes', async () => {
    const doc = readFileSync('docs/server.md', 'utf8');
    const section = doc.slice(doc.indexOf('## Server library'));
    const code = /```js\n([\s\S]*?)```/.exec(section)![1]!;
    const dist = pathToFileURL('dist/server/index.js').href;
    const runnable =
      code
        .replace("'reconnecting-session/server'", `'${dist}'`)
        .replace('http.listen(8000)', "http.listen(0, '127.0.0.1')") +
      "\nhttp.on('listening', () => console.log('port', http.address().port));\n";
    const example = run(['--input-type=module', '-e', runnable]);
    try {
      await until(
        () => /port \d+/.test(example.output()),
        () => `did not start: ${example.errors()}`,
      );
      const port = /port (\d+)/.exec(example.output())![1];
      const c = new RawClient(`ws://127.0.0.1:${port}/ws`);
      await c.hello();
      c.send({ t: 'msg', seq: 1, d: 'hi' });
      assert.deepEqual((await c.next('msg')).d, { echo: 'hi' });
      c.close();
    } finally {
      example.child.kill('SIGTERM');
      await example.exited;
    }
  });
});
