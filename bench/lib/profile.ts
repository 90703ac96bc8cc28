import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

const ROOT = `file://${resolve(import.meta.dirname, '../..')}/`;

function frameName(n: ProfileNode): string {
  const url = n.callFrame.url.replace(ROOT, '');
  const fn = n.callFrame.functionName || '(anonymous)';
  if (url) return `${fn} ${url}:${n.callFrame.lineNumber + 1}`;
  // No script: a V8 bucket such as (garbage collector), or native code (writev, a crypto binding).
  return fn.startsWith('(') ? fn : `${fn} (native)`;
}

/**
 * Where a server's CPU went, from a V8 `.cpuprofile` (node --cpu-prof): the functions with the
 * most samples of their own ("self") and with their callees ("total"), as shares of all samples.
 * Only gatehouse's compiled code (dist/), the libraries it calls and V8's own buckets are listed.
 *
 * @example
 * console.log(summarizeProfile('/tmp/profiles/main/CPU.….cpuprofile'));
 */
export function summarizeProfile(file: string, rows = 25): string {
  const { nodes } = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const all = nodes.reduce((s, n) => s + n.hitCount, 0) || 1;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  // Depth-first with an explicit stack: a profile tree can be deeper than the call stack allows.
  const totals = new Map<number, number>();
  const order: ProfileNode[] = [];
  const stack = [nodes[0]!];
  while (stack.length) {
    const n = stack.pop()!;
    order.push(n);
    for (const c of n.children ?? []) stack.push(byId.get(c)!);
  }
  for (const n of order.reverse()) {
    totals.set(n.id, n.hitCount + (n.children ?? []).reduce((s, c) => s + totals.get(c)!, 0));
  }
  // A recursive function counts once per path: only its outermost frame adds its total.
  const walk = (n: ProfileNode, open: Set<string>): void => {
    const name = frameName(n);
    self.set(name, (self.get(name) ?? 0) + n.hitCount);
    const outermost = !open.has(name);
    if (outermost) {
      total.set(name, (total.get(name) ?? 0) + totals.get(n.id)!);
      open.add(name);
    }
    for (const c of n.children ?? []) walk(byId.get(c)!, open);
    if (outermost) open.delete(name);
  };
  walk(nodes[0]!, new Set());
  const interesting = (name: string) =>
    name.includes('dist/') ||
    name.includes('node_modules/') ||
    name.startsWith('(') ||
    name.endsWith('(native)');
  const top = (m: Map<string, number>) =>
    [...m]
      .filter(([name]) => interesting(name) && name !== '(root)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, rows)
      .map(([name, n]) => `  ${((100 * n) / all).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  return `self (own samples):\n${top(self)}\ntotal (with callees):\n${top(total)}`;
}

/** Every profile under `dir`, summarised, newest last. */
export function summarizeProfiles(dir: string, rows?: number): string {
  const out: string[] = [];
  for (const sub of readdirSync(dir, { withFileTypes: true })) {
    if (!sub.isDirectory()) continue;
    for (const f of readdirSync(join(dir, sub.name)).filter((f) => f.endsWith('.cpuprofile'))) {
      out.push(
        `== ${sub.name}: ${join(dir, sub.name, f)}\n${summarizeProfile(join(dir, sub.name, f), rows)}`,
      );
    }
  }
  return out.join('\n\n');
}
