// The lifecycle runner: deploys a synthesized template the way CloudFormation and the CDK Provider
// framework would, sending every Custom::EKSFargateProfile through the bundled handler (which talks
// to whatever AWS_ENDPOINT_URL_EKS points at, i.e. the EKS emulator in tests). All other resources
// are "created" instantly with stable fake physical ids, so that Ref / GetAtt / Join / Sub in the
// profiles' properties resolve to realistic strings.
//
// CloudFormation semantics modelled (one stack, one operation at a time):
// - create: dependency order (DependsOn + references), independent resources in parallel;
//   on the first failure no new resource starts, the running ones finish, then the
//   rollback deletes everything created (incl. the failed resource if it got a physical id;
//   the Provider framework itself ignores the DELETE of its CREATE_FAILED marker).
// - update: Update requests with OldResourceProperties for changed resources, Create for
//   new ones; a changed physical id is a replacement whose old resource is deleted in the
//   cleanup phase after all updates, in parallel. Removed resources are deleted in the
//   cleanup phase in reverse dependency order. Cleanup failures do not fail the update.
//   On failure: resources updated in place (and the failed one) get an Update back to the
//   old properties, replaced resources get their old physical id back, then the rollback
//   cleanup deletes what the update created (new resources and replacement ids).
// - delete: reverse dependency order; a failed delete leaves the stack DELETE_FAILED.
// Simplifications: CloudFormation may cancel running operations on a failure; here they finish. A
// user function that exceeds its Lambda timeout fails the request like Lambda does, but its promise
// keeps running in this process (Lambda would freeze it). A FAILED update response whose physical id
// differs from the old one is treated as a replacement that was started: the old id is kept and the
// other one is deleted in the rollback cleanup.
// Deletions (delete, rollback, cleanup) run as typed task graphs in deletion-graph.ts; the events and
// calls of each operation are recorded in operation-report.ts. The handler runs with its function's
// environment from the template and, with `callerPolicies`, its role's policy is installed on the emulator
// as the stack creates, updates and deletes it (handler-identity.ts); a failed update does not restore them.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import {
  CfnTemplate, fakeAttribute, fakePhysicalId, resolveCustomResourceProperties, ResolveContext,
  resourceDependencies, resourceIsIncluded,
} from './cfn-template';
import { DeletionTask, runDeletions } from './deletion-graph';
import { CallerPolicySink, HandlerIdentity } from './handler-identity';
import {
  OperationRecorder, OperationReport, Phase, ProviderCall, ResourceStatus, StackStatus,
} from './operation-report';
import {
  CustomResourceRequest, customResourceRequest, DuplicateDelivery, ProviderResponse, ProviderTiming, RequestType,
  runProviderRequest, UserHandler,
} from './provider-framework';
import { GraphResult, runTaskGraph } from './task-graph';
import { FARGATE_PROFILE_RESOURCE_TYPE } from '../../src/wire-contract';

export type { CfnTemplate } from './cfn-template';
export type {
  OperationReport, Phase, ProviderCall, ResourceStatus, StackEvent, StackStatus,
} from './operation-report';

/** The bundle `npx projen bundle` writes; the runner requires it like Lambda would. */
export const HANDLER_BUNDLE_PATH = path.resolve(__dirname, '../../assets/fargate-profile-handler/index.js');

export interface LifecycleRunnerOptions {
  /** Stack name (also in StackId). @default 'TestStack' */
  readonly stackName?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Handler to use instead of requiring the bundle (for the runner's own tests). */
  readonly handler?: UserHandler;
  /** Bundle to require. @default HANDLER_BUNDLE_PATH */
  readonly handlerPath?: string;
  /** Set in process.env before the bundle is loaded and before every invocation (endpoint, knobs). */
  readonly env?: Record<string, string>;
  /** Provider timing, scaled. @default queryInterval 100 ms, totalTimeout 60 s, onEvent 1.2 s, isComplete 3 s */
  readonly timing?: Partial<ProviderTiming>;
  /** Physical ids / attributes to use for given non-custom resources instead of the generated fakes. */
  readonly overrides?: Record<string, { readonly physicalId?: string; readonly attributes?: Record<string, string> }>;
  /** Simulates a duplicated onEvent delivery for chosen requests (same RequestId). @default none */
  readonly duplicateOnEvent?: (request: CustomResourceRequest) => DuplicateDelivery;
  /** Called right before each request goes to the provider (e.g. to vary emulator delays). */
  readonly beforeRequest?: (request: CustomResourceRequest) => void;
  /** The clock reports are measured with. @default Date.now */
  readonly now?: () => number;
  /** Where to install the handler role's identity policy (the EKS emulator). @default none: no authorization */
  readonly callerPolicies?: CallerPolicySink;
}

/** What the stack currently holds for a resource. */
export interface StackResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  /** Data the provider returned (custom resources only). */
  readonly attributes: Record<string, string>;
  /** Resolved properties last sent to the provider (custom resources only). */
  readonly properties?: Record<string, unknown>;
  readonly status: ResourceStatus;
}

const DEFAULT_TIMING: ProviderTiming = { queryIntervalMs: 100, totalTimeoutMs: 60_000, onEventTimeoutMs: 1_200, isCompleteTimeoutMs: 3_000 };

/** A CloudFormation stack whose custom resources are served by the bundled handler. */
export class LifecycleRunner {
  public readonly stackName: string;
  public readonly stackId: string;
  /** Every request ever sent to the provider, across operations. */
  public readonly allCalls: ProviderCall[] = [];
  public readonly accountId: string;
  public readonly region: string;
  private readonly timing: ProviderTiming;
  private handlerInstance?: UserHandler;
  private template: CfnTemplate = { Resources: {} };
  private readonly deployed = new Map<string, StackResource>();
  private currentStatus: StackStatus = 'NOT_CREATED';
  /** Events and provider calls of the current operation. */
  private readonly recorder: OperationRecorder;
  private readonly identity: HandlerIdentity;

  constructor(private readonly options: LifecycleRunnerOptions = {}) {
    this.stackName = options.stackName ?? 'TestStack';
    this.accountId = options.accountId ?? '123456789012';
    this.region = options.region ?? 'us-east-1';
    this.stackId = `arn:aws:cloudformation:${this.region}:${this.accountId}:stack/${this.stackName}/${randomUUID()}`;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.recorder = new OperationRecorder(options.now ?? Date.now);
    this.identity = new HandlerIdentity(this.stackId, options.callerPolicies);
  }

  public get status(): StackStatus {
    return this.currentStatus;
  }

  /** Resources the stack currently holds, by logical id. */
  public get resources(): ReadonlyMap<string, StackResource> {
    return this.deployed;
  }

  /** Physical id of a resource; throws with the known ids when it is not in the stack. */
  public physicalId(logicalId: string): string {
    const resource = this.deployed.get(logicalId);
    if (!resource) throw new Error(`${this.stackName} has no resource "${logicalId}" (has: ${[...this.deployed.keys()].join(', ')})`);
    return resource.physicalId;
  }

  /** Creates the stack, or updates it when it exists (like `cdk deploy`). */
  public async deploy(template: CfnTemplate): Promise<OperationReport> {
    switch (this.currentStatus) {
      case 'NOT_CREATED':
      case 'DELETE_COMPLETE':
        return this.create(template);
      case 'CREATE_COMPLETE':
      case 'UPDATE_COMPLETE':
      case 'UPDATE_ROLLBACK_COMPLETE':
        return this.update(template);
      default:
        throw new Error(`Stack ${this.stackName} is in ${this.currentStatus} state and can not be updated`);
    }
  }

  /** Deletes the stack (like `cdk destroy`). */
  public async destroy(): Promise<OperationReport> {
    this.recorder.begin();
    const ok = await this.deleteAll(this.template, [...this.deployed.keys()], [], 'forward');
    if (ok) this.template = { Resources: {} };
    return this.finish('DELETE', ok ? 'DELETE_COMPLETE' : 'DELETE_FAILED');
  }

  // -------------------------------------------------------------------------------------

  private async create(template: CfnTemplate): Promise<OperationReport> {
    this.recorder.begin();
    this.template = template;
    this.deployed.clear();
    const forward = await this.inDependencyOrder(template, this.includedResources(template),
      id => this.createResource(id, template, 'forward'));
    if (forward.failed.size === 0) return this.finish('CREATE', 'CREATE_COMPLETE');
    // Rollback: delete everything that exists, in reverse dependency order.
    const ok = await this.deleteAll(template, [...this.deployed.keys()], [], 'rollback');
    return this.finish('CREATE', ok ? 'ROLLBACK_COMPLETE' : 'ROLLBACK_FAILED');
  }

  private async update(newTemplate: CfnTemplate): Promise<OperationReport> {
    this.recorder.begin();
    const oldTemplate = this.template;
    const before = new Map(this.deployed);
    const created: string[] = [];
    const updatedInPlace = new Map<string, Record<string, unknown>>(); // logicalId -> properties sent forward
    const replaced = new Map<string, StackResource>(); // logicalId -> the old (replaced) resource
    const strays: StackResource[] = []; // physical ids a failed update reported besides the old one

    const newIds = this.includedResources(newTemplate);
    this.template = newTemplate;
    const forward = await this.inDependencyOrder(newTemplate, newIds, async id => {
      const previous = before.get(id);
      if (!previous) {
        created.push(id);
        return this.createResource(id, newTemplate, 'forward');
      }
      return this.updateResource(id, previous, oldTemplate, newTemplate, {
        onInPlace: props => updatedInPlace.set(id, props),
        onReplaced: () => replaced.set(id, previous),
        onStray: stray => strays.push(stray),
      });
    });

    if (forward.failed.size === 0) {
      // UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: removed resources (reverse dependency order of the old
      // template) and the old physical ids of replacements. Failures here do not fail the update.
      const removed = [...before.keys()].filter(id => !newIds.includes(id));
      await this.deleteAll(oldTemplate, removed,
        [...replaced.values()].map(resource => ({ kind: 'replaced', resource })), 'cleanup');
      return this.finish('UPDATE', 'UPDATE_COMPLETE');
    }

    // UPDATE_ROLLBACK_IN_PROGRESS: back to the old properties, in the old template's order.
    this.template = oldTemplate;
    for (const [id, old] of replaced) {
      strays.push(this.deployed.get(id)!);
      this.deployed.set(id, old);
      this.recorder.event(id, old.type, 'UPDATE_COMPLETE', 'rollback', old.physicalId, 'Restored the resource this update replaced');
    }
    const rollback = await this.inDependencyOrder(oldTemplate, [...updatedInPlace.keys()],
      id => this.rollBackResource(id, before.get(id)!, updatedInPlace.get(id)!, strays));
    if (rollback.failed.size > 0 || rollback.notStarted.size > 0) return this.finish('UPDATE', 'UPDATE_ROLLBACK_FAILED');
    // UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: delete what the update created.
    await this.deleteAll(newTemplate, created.filter(id => this.deployed.has(id)),
      strays.map(resource => ({ kind: 'stray', resource })), 'rollback-cleanup');
    return this.finish('UPDATE', 'UPDATE_ROLLBACK_COMPLETE');
  }

  /** Ends the operation in this stack status. */
  private finish(operation: OperationReport['operation'], status: StackStatus): OperationReport {
    this.currentStatus = status;
    return this.recorder.end(operation, status);
  }

  /** Runs `run` on resources of `template`, each after those it depends on; the first failure stops new starts. */
  private inDependencyOrder(
    template: CfnTemplate, logicalIds: readonly string[], run: (logicalId: string) => Promise<boolean>,
  ): Promise<GraphResult<string>> {
    return runTaskGraph({
      tasks: logicalIds, waitFor: id => resourceDependencies(template, id), run, stopOnFailure: true, name: id => id,
    });
  }

  /** Deletes `logicalIds` of `template` in reverse dependency order, and `physicals` beside them. */
  private deleteAll(
    template: CfnTemplate, logicalIds: readonly string[], physicals: readonly DeletionTask[], phase: Phase,
  ): Promise<boolean> {
    return runDeletions(template, logicalIds, physicals, {
      resource: id => this.deleteResource(id, template, phase),
      physical: resource => this.deletePhysical(resource, phase),
    });
  }

  // -------------------------------------------------------------------------------------
  // Single-resource operations. They never reject: failures become events and `false`.

  private async createResource(id: string, template: CfnTemplate, phase: Phase): Promise<boolean> {
    const resource = template.Resources[id];
    this.recorder.event(id, resource.Type, 'CREATE_IN_PROGRESS', phase);
    if (!this.isProfile(resource.Type)) {
      const physicalId = this.options.overrides?.[id]?.physicalId ?? fakePhysicalId(id, resource.Type, this);
      this.deployed.set(id, { logicalId: id, type: resource.Type, physicalId, attributes: {}, status: 'CREATE_COMPLETE' });
      const failure = this.identity.apply(id, this.resolveContext(template));
      if (failure) return this.recorder.fail(id, resource.Type, 'CREATE_FAILED', phase, physicalId, failure);
      this.recorder.event(id, resource.Type, 'CREATE_COMPLETE', phase, physicalId);
      return true;
    }
    let properties: Record<string, unknown>;
    try {
      properties = resolveCustomResourceProperties(resource.Properties, this.resolveContext(template), id);
    } catch (e: any) {
      return this.recorder.fail(id, resource.Type, 'CREATE_FAILED', phase, undefined, e.message);
    }
    const { response } = await this.send('Create', id, resource.Type, properties, phase);
    if (response.Status === 'SUCCESS') {
      this.deployed.set(id, profileRecord(id, resource.Type, response, properties, 'CREATE_COMPLETE'));
      this.recorder.event(id, resource.Type, 'CREATE_COMPLETE', phase, response.PhysicalResourceId);
      return true;
    }
    // CloudFormation keeps the physical id of a failed create and deletes it on rollback.
    this.deployed.set(id, profileRecord(id, resource.Type, response, properties, 'CREATE_FAILED'));
    return this.recorder.fail(id, resource.Type, 'CREATE_FAILED', phase, response.PhysicalResourceId, providerFailure(response));
  }

  private async updateResource(
    id: string, previous: StackResource, oldTemplate: CfnTemplate, newTemplate: CfnTemplate,
    track: {
      onInPlace: (properties: Record<string, unknown>) => void;
      onReplaced: () => void;
      onStray: (stray: StackResource) => void;
    },
  ): Promise<boolean> {
    const resource = newTemplate.Resources[id];
    if (resource.Type !== previous.type) {
      return this.recorder.fail(id, resource.Type, 'UPDATE_FAILED', 'forward', previous.physicalId,
        `Update of resource type is not permitted (${previous.type} -> ${resource.Type})`);
    }
    if (!this.isProfile(resource.Type)) {
      // Pretend resources keep their physical id; report an update only if the template changed.
      if (JSON.stringify(oldTemplate.Resources[id]?.Properties) !== JSON.stringify(resource.Properties)) {
        this.recorder.event(id, resource.Type, 'UPDATE_IN_PROGRESS', 'forward', previous.physicalId);
        const failure = this.identity.apply(id, this.resolveContext(newTemplate));
        if (failure) return this.recorder.fail(id, resource.Type, 'UPDATE_FAILED', 'forward', previous.physicalId, failure);
        this.recorder.event(id, resource.Type, 'UPDATE_COMPLETE', 'forward', previous.physicalId);
      }
      return true;
    }
    let properties: Record<string, unknown>;
    try {
      properties = resolveCustomResourceProperties(resource.Properties, this.resolveContext(newTemplate), id);
    } catch (e: any) {
      return this.recorder.fail(id, resource.Type, 'UPDATE_FAILED', 'forward', previous.physicalId, e.message);
    }
    if (JSON.stringify(properties) === JSON.stringify(previous.properties)) return true; // no change, no request

    this.recorder.event(id, resource.Type, 'UPDATE_IN_PROGRESS', 'forward', previous.physicalId);
    const { response } = await this.send('Update', id, resource.Type, properties, 'forward', previous);
    if (response.Status === 'SUCCESS') {
      this.deployed.set(id, profileRecord(id, resource.Type, response, properties, 'UPDATE_COMPLETE'));
      if (response.PhysicalResourceId !== previous.physicalId) track.onReplaced();
      else track.onInPlace(properties);
      this.recorder.event(id, resource.Type, 'UPDATE_COMPLETE', 'forward', response.PhysicalResourceId);
      return true;
    }
    // The failed resource is rolled back with an Update to its old properties, under its old id.
    // A different physical id in the FAILED response is treated as a replacement that was started:
    // the rollback cleanup deletes it.
    if (response.PhysicalResourceId !== previous.physicalId) {
      track.onStray(profileRecord(id, resource.Type, response, properties, 'UPDATE_FAILED'));
    }
    track.onInPlace(properties);
    this.deployed.set(id, { ...previous, status: 'UPDATE_FAILED' });
    return this.recorder.fail(id, resource.Type, 'UPDATE_FAILED', 'forward', previous.physicalId, providerFailure(response));
  }

  private async rollBackResource(
    id: string, old: StackResource, forwardProperties: Record<string, unknown>, strays: StackResource[],
  ): Promise<boolean> {
    const current = this.deployed.get(id)!;
    this.recorder.event(id, old.type, 'UPDATE_IN_PROGRESS', 'rollback', current.physicalId);
    const { response } = await this.send('Update', id, old.type, old.properties!, 'rollback',
      { ...current, properties: forwardProperties });
    if (response.Status !== 'SUCCESS') {
      return this.recorder.fail(id, old.type, 'UPDATE_FAILED', 'rollback', current.physicalId, providerFailure(response));
    }
    if (response.PhysicalResourceId !== current.physicalId) strays.push(current);
    this.deployed.set(id, profileRecord(id, old.type, response, old.properties!, 'UPDATE_COMPLETE'));
    this.recorder.event(id, old.type, 'UPDATE_COMPLETE', 'rollback', response.PhysicalResourceId);
    return true;
  }

  private async deleteResource(id: string, template: CfnTemplate, phase: Phase): Promise<boolean> {
    const resource = this.deployed.get(id);
    if (!resource) return true;
    if (['Retain', 'RetainExceptOnCreate'].includes(template.Resources[id]?.DeletionPolicy ?? '')) {
      this.deployed.delete(id);
      this.recorder.event(id, resource.type, 'DELETE_SKIPPED', phase, resource.physicalId);
      return true;
    }
    const ok = await this.deletePhysical(resource, phase);
    if (ok) this.deployed.delete(id);
    else this.deployed.set(id, { ...resource, status: 'DELETE_FAILED' });
    return ok;
  }

  /** Deletes one physical resource (also an old id of a replacement) and records the events. */
  private async deletePhysical(resource: StackResource, phase: Phase): Promise<boolean> {
    const { logicalId: id, type } = resource;
    this.recorder.event(id, type, 'DELETE_IN_PROGRESS', phase, resource.physicalId);
    if (!this.isProfile(type)) {
      this.identity.deleted(id);
      this.recorder.event(id, type, 'DELETE_COMPLETE', phase, resource.physicalId);
      return true;
    }
    const { response } = await this.send('Delete', id, type, resource.properties ?? {}, phase, resource);
    if (response.Status !== 'SUCCESS') {
      return this.recorder.fail(id, type, 'DELETE_FAILED', phase, resource.physicalId, providerFailure(response));
    }
    this.recorder.event(id, type, 'DELETE_COMPLETE', phase, resource.physicalId);
    return true;
  }

  /** Sends one CloudFormation request through the emulated Provider framework. */
  private async send(
    requestType: RequestType, id: string, type: string, properties: Record<string, unknown>, phase: Phase,
    existing?: StackResource,
  ): Promise<ProviderCall> {
    const request = customResourceRequest(this, requestType, id, type, properties, existing);
    this.options.beforeRequest?.(request);
    const startMs = this.recorder.elapsed();
    const response = await runProviderRequest(request, this.handler(), this.timing,
      this.options.duplicateOnEvent?.(request) ?? 'none', () => this.applyEnv());
    const call: ProviderCall = { request, response, phase, startMs, endMs: this.recorder.elapsed() };
    this.recorder.call(call);
    this.allCalls.push(call);
    return call;
  }

  // -------------------------------------------------------------------------------------

  private handler(): UserHandler {
    if (!this.handlerInstance) {
      this.applyEnv();
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.handlerInstance = this.options.handler ?? require(this.options.handlerPath ?? HANDLER_BUNDLE_PATH) as UserHandler;
    }
    return this.handlerInstance;
  }

  private applyEnv(): void {
    Object.assign(process.env, this.identity.environment, this.options.env ?? {});
  }

  private isProfile(type: string): boolean {
    return type === FARGATE_PROFILE_RESOURCE_TYPE;
  }

  private includedResources(template: CfnTemplate): string[] {
    const ctx = this.resolveContext(template);
    return Object.keys(template.Resources).filter(id => resourceIsIncluded(ctx, id));
  }

  private resolveContext(template: CfnTemplate): ResolveContext {
    return {
      accountId: this.accountId,
      region: this.region,
      stackName: this.stackName,
      stackId: this.stackId,
      template,
      physicalId: id => this.deployed.get(id)?.physicalId,
      attribute: (id, attribute) => {
        const resource = this.deployed.get(id);
        if (!resource) return undefined;
        const override = this.options.overrides?.[id]?.attributes?.[attribute];
        if (override !== undefined) return override;
        if (this.isProfile(resource.type)) return resource.attributes[attribute];
        return fakeAttribute(id, resource.type, attribute, this);
      },
    };
  }
}

function profileRecord(
  id: string, type: string, response: ProviderResponse, properties: Record<string, unknown>, status: ResourceStatus,
): StackResource {
  const attributes = Object.fromEntries(Object.entries(response.Data ?? {}).map(([k, v]) => [k, String(v)]));
  return { logicalId: id, type, physicalId: response.PhysicalResourceId, attributes, properties, status };
}

/** CloudFormation's wording for a FAILED custom resource response. */
function providerFailure(response: ProviderResponse): string {
  return `Received response status [FAILED] from custom resource. Message returned: ${response.Reason}`;
}
