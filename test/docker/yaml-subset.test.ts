// The YAML subset parser that checks docker/compose.yaml: what it reads, what it refuses, and
// (when python3 with PyYAML is installed) that it reads the same data as a real YAML parser.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseYamlSubset } from './yaml-subset';

const SAMPLE = `# a comment
name: demo
services:
  web:
    image: "nginx:1.27"   # trailing comment
    command: ["sh", "-c", "echo a, b # not a comment"]
    ports:
      - "22:22"
    environment:
      URL: mysql://u:\${PW:-x}@db:3306/d
      EMPTY:
      N: 3
      QUOTED: 'it''s'
    volumes:
      - type: bind
        source: /a
        target: /b
      - data:/var/lib
    privileged: true
  list:
  - a
  - b
volumes:
  data:
`;

describe('yaml subset', () => {
  it('reads mappings, sequences, flow sequences and scalars', () => {
    expect(parseYamlSubset(SAMPLE)).toEqual({
      name: 'demo',
      services: {
        web: {
          image: 'nginx:1.27',
          command: ['sh', '-c', 'echo a, b # not a comment'],
          ports: ['22:22'],
          environment: { URL: 'mysql://u:${PW:-x}@db:3306/d', EMPTY: null, N: 3, QUOTED: "it's" },
          volumes: [{ type: 'bind', source: '/a', target: '/b' }, 'data:/var/lib'],
          privileged: true,
        },
        list: ['a', 'b'],
      },
      volumes: { data: null },
    });
  });

  it('agrees with PyYAML when it is installed', () => {
    const py = spawnSync('python3', ['-c', 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], { input: SAMPLE, encoding: 'utf8' });
    if (py.status === 0) expect(parseYamlSubset(SAMPLE)).toEqual(JSON.parse(py.stdout));
  });

  it('refuses what is outside the subset or ambiguous between YAML versions', () => {
    expect(() => parseYamlSubset('a:\n  b: 1\n  b: 2\n')).toThrow(/line 3: duplicate key "b"/);
    expect(() => parseYamlSubset('ports:\n  - 22:22\n')).toThrow(/base-60/);
    expect(() => parseYamlSubset('x: &anchor 1\n')).toThrow(/anchors/);
    expect(() => parseYamlSubset('x: |\n  text\n')).toThrow(/block scalars/);
    expect(() => parseYamlSubset('x: {a: 1}\n')).toThrow(/flow mappings/);
    expect(() => parseYamlSubset('enabled: yes\n')).toThrow(/YAML 1.1/);
    expect(() => parseYamlSubset('mode: 0755\n')).toThrow(/octal/);
    expect(() => parseYamlSubset('a:\n\tb: 1\n')).toThrow(/tab/);
    expect(() => parseYamlSubset('a: 1\n    b: 2\n')).toThrow(/line 2: unexpected indentation/);
    expect(() => parseYamlSubset('a: "open\n')).toThrow(/unterminated/);
  });
});
