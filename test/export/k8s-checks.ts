/**
 * The checks of a Kubernetes export: each object against the API's schema (kubernetes-models),
 * and the set against itself — every Service selects the pods of a Deployment or Job, every
 * Deployment selects its own pods, every init wait polls a Service that exists, on its port.
 */
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';

const MODELS: Record<string, new (data: any) => { validate(): void }> = { CronJob, Deployment, Job, Service };

/** The objects of a multi-document YAML stream, as plain data. */
export function objectsOf(text: string): any[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => {
    if (d.errors.length > 0) throw d.errors[0];
    return d.toJS();
  });
}

/** Why each object fails its schema ("Kind/name: message"); empty when all pass. */
export function schemaProblems(objects: any[]): string[] {
  return objects.flatMap((o) => {
    const Model = MODELS[o.kind];
    if (!Model) return [`${o.kind}/${o.metadata?.name}: not a kind this export writes`];
    try {
      new Model(o).validate();
      return [];
    } catch (error) {
      return [`${o.kind}/${o.metadata?.name}: ${(error as Error).message}`];
    }
  });
}

const selects = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** How the set of objects is inconsistent; empty when it is not. */
export function consistencyProblems(objects: any[]): string[] {
  const problems: string[] = [];
  const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');
  const services = new Map(objects.filter((o) => o.kind === 'Service').map((s) => [s.metadata.name, s]));
  for (const s of services.values()) {
    if (!workloads.some((w) => selects(s.spec.selector, w.spec.template.metadata.labels))) problems.push(`Service/${s.metadata.name} selects no pod`);
  }
  for (const w of workloads) {
    const name = `${w.kind}/${w.metadata.name}`;
    if (w.kind === 'Deployment' && !selects(w.spec.selector.matchLabels, w.spec.template.metadata.labels)) problems.push(`${name} does not select its own pods`);
    for (const init of w.spec.template.spec.initContainers ?? []) {
      if (!init.name.startsWith('wait-for-')) continue;
      const [, host, port] = /nc -z (\S+) (\d+)/.exec(init.command.join(' ')) ?? [];
      const service = services.get(host);
      if (!service) problems.push(`${name}: ${init.name} waits for Service ${host}, which does not exist`);
      else if (!service.spec.ports.some((p: { port: number }) => p.port === Number(port))) problems.push(`${name}: ${init.name} waits on port ${port}, which Service ${host} does not have`);
    }
  }
  return problems;
}
