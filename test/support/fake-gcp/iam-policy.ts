import { createHash } from 'node:crypto';
import { badRequest, GoogleError } from './google-error.js';

export interface Binding {
  role: string;
  members: string[];
  condition?: { title?: string; expression: string; description?: string };
}
export interface Policy {
  version?: number;
  etag?: string;
  bindings?: Binding[];
}

const etagOf = (bindings: Binding[]) =>
  Buffer.from(createHash('sha1').update(JSON.stringify(bindings)).digest()).toString('base64');

/** IAM policies of every resource, with etags checked like Google does (a stale etag is a 409). */
export class PolicyStore {
  private readonly policies = new Map<string, Binding[]>();

  get(resource: string): Policy {
    const bindings = this.policies.get(resource) ?? [];
    return { version: bindings.some((b) => b.condition) ? 3 : 1, etag: etagOf(bindings), bindings };
  }

  /** `memberExists` says whether a service account member can be named yet (propagation). */
  set(resource: string, policy: Policy, memberExists: (member: string) => string | undefined): Policy {
    const current = this.get(resource);
    // gcloud decodes the etag as bytes and encodes it again: compare them as bytes too.
    const bytes = (etag: string) =>
      Buffer.from(etag.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('hex');
    if (policy.etag && bytes(policy.etag) !== bytes(current.etag!))
      throw new GoogleError(
        409,
        'ABORTED',
        'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
      );
    const bindings = (policy.bindings ?? []).filter((binding) => binding.members.length > 0);
    for (const binding of bindings) {
      if (!/^roles\//.test(binding.role) && !/^projects\/.+\/roles\//.test(binding.role))
        throw badRequest(`Role ${binding.role} is not supported for this resource.`);
      for (const member of binding.members) {
        const problem = memberExists(member);
        if (problem) throw badRequest(problem);
      }
    }
    this.policies.set(resource, bindings);
    return this.get(resource);
  }

  delete(resource: string): void {
    this.policies.delete(resource);
  }

  /** every (resource, role, member, condition) triple, for assertions */
  all(): Array<{ resource: string; role: string; member: string; condition?: string }> {
    return [...this.policies.entries()].flatMap(([resource, bindings]) =>
      bindings.flatMap((binding) =>
        binding.members.map((member) => ({
          resource,
          role: binding.role,
          member,
          ...(binding.condition ? { condition: binding.condition.expression } : {}),
        })),
      ),
    );
  }
}
