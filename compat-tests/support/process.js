'use strict';
// Small process helpers shared by the compat suites (plain CommonJS so scripts can use them too).
const net = require('node:net');

/**
 * A free TCP port on 127.0.0.1 (bind to 0, read it, release it). Only for a program that must be
 * told its port in advance and cannot report the one it bound (the OAP, PostgreSQL): anything
 * that can listen on port 0 and say its address should, since another process may take a
 * released port before it is used.
 */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Poll `check` (sync or async) every `everyMs` until it returns a truthy value; reject after `ms`. */
async function waitUntil(check, ms, what, everyMs = 250) {
  const deadline = Date.now() + ms;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      if (/exited/.test(String(err && err.message))) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Signal a child by PID, wait for it to exit, SIGKILL after `graceMs`. */
function stopPid(child, signal = 'SIGTERM', graceMs = 10_000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(child.pid, signal);
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

module.exports = { freePort, waitUntil, stopPid };
