// harness.mjs: start `caseyos serve` on a temp data dir and drive Debian's
// Chromium through playwright-core (no downloaded browsers).
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const frontendDir = path.resolve(here, '..');
export const artifacts = path.join(here, 'artifacts');
export const bin = path.resolve(frontendDir, process.env.CASEYOS_BIN || '../build/bin/caseyos');
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

export const launchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** run runs the caseyos CLI and resolves with {code, stdout, stderr}. */
export function run(args, opts = {}) {
  return new Promise((resolve) => {
    execFile(bin, args, { maxBuffer: 64 << 20, timeout: opts.timeout ?? 120_000, env: { ...process.env, ...opts.env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * serve starts `caseyos serve --addr 127.0.0.1:0 --data-dir dir` and
 * resolves once it printed the URL to open; opts.env adds to its
 * environment.
 */
export function serve(dataDir, opts = {}) {
  if (!fs.existsSync(bin)) throw new Error(`no caseyos binary at ${bin}: run \`make build\` or set CASEYOS_BIN`);
  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CASEYOS_TRAY: '0', ...opts.env },
  });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`caseyos serve printed no URL in 30 s:\n${out}\n${err}`));
    }, 30_000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/https?:\/\/\S+token=[\w-]+/);
      if (m) {
        clearTimeout(timer);
        const url = new URL(m[0]);
        resolve({
          url: m[0],
          origin: url.origin,
          token: url.searchParams.get('token'),
          child,
          output: () => out + err,
          stop: () =>
            new Promise((res) => {
              if (child.exitCode !== null) return res();
              child.once('exit', () => res());
              child.kill('SIGTERM');
              setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000);
            }),
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`caseyos serve exited (${code}):\n${out}\n${err}`));
    });
  });
}

/** call invokes an API method the way the page does. */
export async function call(srv, method, args = [], token = srv.token) {
  const res = await fetch(`${srv.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(args),
  });
  const text = await res.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, body };
}

/** until polls check (async, truthy when done) every 25 ms, failing with what after timeout ms. */
export async function until(check, what, timeout = 5000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** browser launches Chromium with a fresh user-data-dir. */
export async function browser({ width = 440, height = 760, colorScheme = 'dark' } = {}) {
  const userDataDir = tempDir('caseyos-chromium-');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    args: launchArgs,
    viewport: { width, height },
    colorScheme,
  });
  const errors = [];
  context.on('page', (p) => watch(p, errors));
  for (const p of context.pages()) watch(p, errors);
  return {
    context,
    errors,
    page: async () => context.pages()[0] ?? (await context.newPage()),
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

function watch(page, errors) {
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
}

/** rows reads the list as the page shows it. */
export function rows(page) {
  return page.evaluate(() => {
    const els = [...document.querySelectorAll('[data-move-id]')];
    const focused = document.querySelector('.move-row.focused');
    return {
      ids: els.map((e) => Number(e.dataset.moveId)),
      aps: els.map((e) => Number(e.dataset.aps)),
      domains: els.map((e) => e.dataset.domain),
      focused: focused ? Number(focused.dataset.moveId) : null,
    };
  });
}

export async function shot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
