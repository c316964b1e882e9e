/**
 * `npx tsx bench/profile.ts <file.cpuprofile> [top]`: where a --cpu-prof profile's time went —
 * self time by package (node_modules/<name>, our own folders, Node's internals) and the
 * functions with the most self time. `BENCH_PROFILE=1 npm run bench -- gateway` writes the
 * profiles to .bench-profiles/.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package or folder a script belongs to, e.g. "@apollo/gateway", "gateway", "node:http". */
function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1]!;
  if (url.startsWith('node:')) return url.split('/')[0]!;
  const own = /\/dist\/([^/]+)\/(?:([^/]+)\/)?/.exec(url);
  if (own) return own[1] === 'subgraphs' ? `subgraphs/${own[2]}` : own[1]!;
  return url;
}

function summarize(path: string, top: number): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByFunction = new Map<string, number>();
  const selfByOwner = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') return;
    total += micros;
    const owner = ownerOf(url, functionName);
    const name = `${functionName || '(anonymous)'} ${owner}:${lineNumber + 1}`;
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + micros);
    selfByOwner.set(owner, (selfByOwner.get(owner) ?? 0) + micros);
  });
  const table = (entries: Map<string, number>) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => `| ${((100 * micros) / total).toFixed(1)}% | ${name} |`)
      .join('\n');
  return [
    `Busy time: ${(total / 1000).toFixed(0)} ms`,
    '',
    '| self | package |',
    '| --- | --- |',
    table(selfByOwner),
    '',
    '| self | function |',
    '| --- | --- |',
    table(selfByFunction),
  ].join('\n');
}

const [path, top] = process.argv.slice(2);
if (!path) {
  console.error('Usage: npx tsx bench/profile.ts <file.cpuprofile> [top]');
  process.exit(2);
}
console.log(summarize(path, Number(top ?? 25)));
