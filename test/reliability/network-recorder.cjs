/**
 * Preloaded with `node --require test/reliability/network-recorder.cjs ...`: records every network
 * destination the process tries (TCP, TLS, DNS, HTTP(S), UDP, fetch) as one JSON line in the file
 * named by HISTO_NETWORK_LOG. It records and lets the call proceed; the test decides what is allowed.
 */
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const tls = require('node:tls');
const dns = require('node:dns');
const http = require('node:http');
const https = require('node:https');
const dgram = require('node:dgram');

const logFile = process.env.HISTO_NETWORK_LOG;

function record(api, dest) {
  if (!logFile) return;
  try {
    fs.appendFileSync(logFile, JSON.stringify({ pid: process.pid, api, ...dest }) + '\n');
  } catch {
    // Never break the program being watched.
  }
}

/** Destination of net/tls connect arguments: (options), (port, host), (path). */
function destOf(args) {
  let a = args[0];
  if (Array.isArray(a)) a = a[0]; // internal normalized args
  if (a && typeof a === 'object') {
    if (a.path) return { path: String(a.path) };
    return { host: a.host ?? a.hostname ?? 'localhost', port: a.port };
  }
  if (typeof a === 'string' && isNaN(Number(a))) return { path: a };
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: a };
}

const origSocketConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  record('net.Socket.connect', destOf(args));
  return origSocketConnect.apply(this, args);
};
for (const name of ['connect', 'createConnection']) {
  const orig = net[name];
  net[name] = function (...args) {
    record(`net.${name}`, destOf(args));
    return orig.apply(this, args);
  };
}
const origTls = tls.connect;
tls.connect = function (...args) {
  record('tls.connect', destOf(args));
  return origTls.apply(this, args);
};
for (const mod of [dns, dns.promises]) {
  for (const name of Object.keys(mod)) {
    if (!/^(lookup|lookupService|resolve\w*|reverse)$/.test(name) || typeof mod[name] !== 'function') continue;
    const orig = mod[name];
    mod[name] = function (...args) {
      record(`dns.${name}`, { host: String(args[0]) });
      return orig.apply(this, args);
    };
  }
}
for (const [label, mod] of [['http', http], ['https', https]]) {
  for (const name of ['request', 'get']) {
    const orig = mod[name];
    mod[name] = function (...args) {
      const a = args[0];
      const url = typeof a === 'string' || a instanceof URL ? new URL(String(a)) : null;
      record(`${label}.${name}`, url ? { host: url.hostname, port: url.port } : { host: a?.hostname ?? a?.host ?? 'localhost', port: a?.port });
      return orig.apply(this, args);
    };
  }
}
const origCreateSocket = dgram.createSocket;
dgram.createSocket = function (...args) {
  const socket = origCreateSocket.apply(this, args);
  const origSend = socket.send;
  socket.send = function (...sendArgs) {
    // send(msg, [offset, length,] port, address, cb)
    const nums = sendArgs.filter((v) => typeof v === 'number');
    const host = sendArgs.find((v, i) => i > 0 && typeof v === 'string');
    record('dgram.send', { host: host ?? 'localhost', port: nums[nums.length - 1] });
    return origSend.apply(this, sendArgs);
  };
  const origConnect = socket.connect;
  socket.connect = function (port, address, ...rest) {
    record('dgram.connect', { host: typeof address === 'string' ? address : 'localhost', port });
    return origConnect.call(this, port, address, ...rest);
  };
  return socket;
};
if (typeof globalThis.fetch === 'function') {
  const origFetch = globalThis.fetch;
  globalThis.fetch = function (input, init) {
    try {
      const url = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url);
      record('fetch', { host: url.hostname, port: url.port });
    } catch {
      record('fetch', { host: String(input) });
    }
    return origFetch.call(this, input, init);
  };
}
