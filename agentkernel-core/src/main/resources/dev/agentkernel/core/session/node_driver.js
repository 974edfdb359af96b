'use strict';
// AgentKernel stateful-session driver for Node.js (no npm packages).
//
// Protocol: one compact JSON request per line on stdin,
//   {"id": N, "code": "...", "timeout_ms": N (optional)}
// and exactly one compact JSON response line per request on fd 1,
//   {"id": N, "stdout": "...", "stderr": "...", "success": true|false,
//    "error": null | {"type": "...", "message": "...", "traceback": "..."},
//    "execution_time_ms": N}
//
// Each request is compiled as a classic script (vm.Script) and run in the driver's own main
// context (runInThisContext), so top-level var/let/const/function/class declarations stay
// visible to later requests (V8's script scope), exactly like successive <script> tags; the
// driver's own state lives in this module's closure and never collides with user globals.
// Limits: re-declaring a top-level let/const/class in a later request is a SyntaxError (as in
// browsers); top-level `await` is not supported (a returned Promise is awaited instead).
// The completion value of the script (e.g. `1+1`, or an assignment) is printed with
// util.inspect() when it is not undefined, like the REPL. console.*, process.stdout.write and
// process.stderr.write are captured; child processes started with stdio 'inherit' would write
// to the protocol stream (use the default 'pipe').
// timeout_ms is enforced by vm's timeout (synchronous code) and by a timer while awaiting a
// returned Promise; SIGINT aborts the running request (breakOnSigint) and is ignored otherwise.

const vm = require('vm');
const fs = require('fs');
const util = require('util');
const path = require('path');
const { Console } = require('console');
const { Writable } = require('stream');
const Module = require('module');

const PROTO_FD = 1;
let current = null; // {out: [], err: []} while a request runs

function writeAll(fd, text) {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

function sink(which) {
  return (chunk, encoding) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (current) {
      current[which].push(text);
    } else if (which === 'err') {
      try { writeAll(2, text); } catch (e) { /* ignore */ }
    }
  };
}

const outSink = sink('out');
const errSink = sink('err');
function captureStream(fn) {
  return new Writable({
    decodeStrings: false,
    write(chunk, encoding, cb) { fn(chunk, encoding); cb(); },
  });
}
const userConsole = new Console({ stdout: captureStream(outSink), stderr: captureStream(errSink), colorMode: false });
globalThis.console = userConsole;
process.stdout.write = function (chunk, encoding, cb) {
  outSink(chunk, encoding);
  if (typeof encoding === 'function') encoding(); else if (typeof cb === 'function') cb();
  return true;
};
process.stderr.write = function (chunk, encoding, cb) {
  errSink(chunk, encoding);
  if (typeof encoding === 'function') encoding(); else if (typeof cb === 'function') cb();
  return true;
};

// require() relative to the current working directory, like the REPL.
globalThis.require = Module.createRequire(path.join(process.cwd(), '<session>'));
globalThis.module = { exports: {} };
globalThis.exports = globalThis.module.exports;
globalThis.__filename = path.join(process.cwd(), '<session>');
globalThis.__dirname = process.cwd();

let interruptPending = null; // resolves an awaited Promise race on SIGINT
process.on('SIGINT', () => { if (interruptPending) interruptPending(); });
process.on('uncaughtException', (e) => errSink('Uncaught ' + (e && e.stack ? e.stack : String(e)) + '\n'));
process.on('unhandledRejection', (e) => errSink('Unhandled rejection: ' + (e && e.stack ? e.stack : String(e)) + '\n'));

function cleanStack(stack) {
  if (typeof stack !== 'string') return '';
  return stack.split('\n')
    .filter((line) => !line.includes(__filename) && !/\(node:|at node:/.test(line))
    .join('\n');
}

function describe(e) {
  if (e instanceof Error || (e && typeof e === 'object' && 'message' in e && 'stack' in e)) {
    let stack = cleanStack(e.stack);
    if (e.name === 'SyntaxError' && !stack.includes('SyntaxError')) stack += '\nSyntaxError: ' + e.message;
    return { type: String(e.name || 'Error'), message: String(e.message), traceback: stack };
  }
  return { type: 'Uncaught', message: util.inspect(e), traceback: '' };
}

async function run(req) {
  const started = Date.now();
  const timeoutMs = typeof req.timeout_ms === 'number' && req.timeout_ms > 0 ? Math.max(1, Math.floor(req.timeout_ms)) : 0;
  const buffers = { out: [], err: [] };
  current = buffers;
  let error = null;
  try {
    const script = new vm.Script(String(req.code == null ? '' : req.code), { filename: '<cell-' + req.id + '>' });
    const options = { breakOnSigint: true, displayErrors: false };
    if (timeoutMs) options.timeout = timeoutMs;
    let value = script.runInThisContext(options);
    if (value && typeof value.then === 'function') {
      value = await awaitWithLimit(value, timeoutMs ? Math.max(1, timeoutMs - (Date.now() - started)) : 0);
    }
    if (value !== undefined) outSink(util.inspect(value) + '\n');
  } catch (e) {
    if (e && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      error = { type: 'Timeout', message: 'execution exceeded ' + timeoutMs + ' ms', traceback: '' };
    } else if (e && e.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') {
      error = { type: 'Interrupted', message: 'execution was interrupted', traceback: '' };
    } else if (e && e.__akDriver) {
      error = e.__akDriver;
    } else {
      error = describe(e);
    }
  }
  current = null;
  return {
    id: req.id === undefined ? null : req.id,
    stdout: buffers.out.join(''),
    stderr: buffers.err.join(''),
    success: error === null,
    error: error,
    execution_time_ms: Date.now() - started,
  };
}

function awaitWithLimit(promise, limitMs) {
  return new Promise((resolve, reject) => {
    let timer = null;
    const done = () => { if (timer) clearTimeout(timer); interruptPending = null; };
    if (limitMs) {
      timer = setTimeout(() => {
        done();
        reject({ __akDriver: { type: 'Timeout', message: 'execution exceeded the time limit while awaiting a Promise', traceback: '' } });
      }, limitMs);
    }
    interruptPending = () => {
      done();
      reject({ __akDriver: { type: 'Interrupted', message: 'execution was interrupted', traceback: '' } });
    };
    Promise.resolve(promise).then((v) => { done(); resolve(v); }, (e) => { done(); reject(e); });
  });
}

// Read requests; process them strictly one at a time.
const queue = [];
let busy = false;
let ended = false;
let pending = '';

async function pump() {
  if (busy) return;
  busy = true;
  while (queue.length > 0) {
    const line = queue.shift();
    let req;
    try {
      req = JSON.parse(line);
    } catch (e) {
      writeAll(PROTO_FD, JSON.stringify({ id: null, stdout: '', stderr: '', success: false,
        error: { type: 'ProtocolError', message: String(e.message), traceback: '' }, execution_time_ms: 0 }) + '\n');
      continue;
    }
    const res = await run(req);
    writeAll(PROTO_FD, JSON.stringify(res) + '\n');
  }
  busy = false;
  if (ended) process.exit(0);
}

const input = fs.createReadStream(null, { fd: 0, encoding: 'utf8', highWaterMark: 65536 });
input.on('data', (chunk) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line.trim() !== '') queue.push(line);
  }
  pump();
});
input.on('end', () => {
  ended = true;
  if (pending.trim() !== '') queue.push(pending);
  pending = '';
  if (!busy) pump();
});
input.on('error', () => { ended = true; if (!busy) process.exit(0); });
