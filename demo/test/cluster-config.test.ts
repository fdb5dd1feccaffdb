import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../build.ts';
import { which } from '../cluster/which.ts';
import { parseCli } from '../cluster/cli-options.ts';
import { deployConfigs } from '../cluster/deploy-configs.ts';
import { renderHaproxyConfig } from '../cluster/haproxy-config.ts';
import { renderNginxConfig } from '../cluster/nginx-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'tandem-demo-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The directives, without comments (which do mention stickiness, to say there is none). */
const directives = (text: string) => text.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');

const servers = [
  { name: 'node-1', address: '127.0.0.1:4001' },
  { name: 'node-2', address: '127.0.0.1:4002' },
];

describe('balancer configuration', () => {
  it('keeps deploy/ in step with the template the demo uses', () => {
    for (const [path, text] of Object.entries(deployConfigs())) {
      expect(readFileSync(join(REPO_ROOT, path), 'utf8'), `${path} is stale: run tsx demo/cluster/deploy-configs.ts --write`).toBe(text);
    }
  });

  it('renders a round-robin haproxy config without stickiness that haproxy accepts', () => {
    const text = renderHaproxyConfig({ bind: '127.0.0.1:4000', servers, control: '127.0.0.1:4010', maxconn: 1000 });
    expect(text).toContain('balance roundrobin');
    expect(text).toContain('option httpchk GET /readyz');
    expect(directives(text)).not.toMatch(/\bstick|cookie\b/);
    expect(text).toContain('use_backend demo_control if demo_control');
    expect(text).toContain('http-response set-header X-Tandem-Demo-Control /demo-api/');
    const haproxy = which('haproxy');
    expect(haproxy, 'haproxy is installed by .ci/run (apt-get install haproxy)').not.toBeNull();
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, text);
    const checked = spawnSync(haproxy ?? 'haproxy', ['-c', '-f', file], { encoding: 'utf8' });
    expect(checked.status, checked.stderr).toBe(0);
  });

  it('leaves the control endpoint out of the docker-compose config', () => {
    const text = deployConfigs()['deploy/haproxy.cfg'] ?? '';
    expect(text).not.toMatch(/demo-api|Demo-Control/);
    expect(text).toContain('resolvers docker');
    expect(text).toContain('server gateway-3 gateway-3:4003 check');
  });

  it('renders an nginx config that upgrades WebSockets and retries a dead node', () => {
    const text = renderNginxConfig({ listen: '127.0.0.1:4000', servers, control: '127.0.0.1:4010', runDir: '/tmp/x' });
    expect(text).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(text).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(text).toContain('proxy_next_upstream error timeout http_502 http_503;');
    expect(text).toContain('location /demo-api/ {');
    expect(text).toContain('pid /tmp/x/nginx.pid;');
    expect(text).toContain('add_header X-Tandem-Demo-Control /demo-api/ always;');
    expect(directives(text)).not.toMatch(/ip_hash|sticky|hash /);
  });
});

describe('demo command line', () => {
  it('defaults to port 4000 like docker-compose.yml', () => {
    expect(parseCli([])).toEqual({ port: 4000, balancer: undefined, help: false });
  });

  it('reads --port, --balancer and --help', () => {
    expect(parseCli(['--port', '5000', '--balancer', 'http-proxy'])).toEqual({ port: 5000, balancer: 'http-proxy', help: false });
    expect(parseCli(['-h']).help).toBe(true);
  });

  it('refuses bad values with a readable message', () => {
    expect(() => parseCli(['--port', 'abc'])).toThrow(/--port must be an integer/);
    expect(() => parseCli(['--balancer', 'traefik'])).toThrow(/--balancer must be one of haproxy, nginx, http-proxy/);
    expect(() => parseCli(['--nope'])).toThrow();
  });
});
