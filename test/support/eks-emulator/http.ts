// The HTTP front end: a server on 127.0.0.1 speaking EKS's REST-JSON protocol, so the real
// @aws-sdk/client-eks reaches it through AWS_ENDPOINT_URL_EKS and raises its real exception
// classes. Routes are the ones in the EKS API reference ("Request Syntax" of each operation);
// errors carry the type in the `x-amzn-errortype` header, the HTTP status and a JSON body with
// `message` (the restJson1 error format the SDK parses). Every request, failed or not, goes
// into the call log.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallLog } from './call-log';
import { asEksError, EksError } from './errors';
import { parseProfileArn, ProfileRecord, snapshot } from './state';
import type { EksOperation } from './types';

/** One request, routed: which operation, about what, with which parameters. */
export interface RequestContext {
  operation: EksOperation | 'Unknown';
  cluster?: string;
  profile?: string;
  /** The ARN in the path of a tag operation. */
  resourceArn?: string;
  readonly query: URLSearchParams;
  body: Record<string, unknown>;
}

/** A successful answer. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

/** Answers one routed request; throws an EksError for a service error. */
export type RequestHandler = (ctx: RequestContext) => Reply;

export class HttpFrontEnd {
  /** Starts a server on 127.0.0.1 with a random port. */
  public static async listen(handle: RequestHandler, log: CallLog, clock: () => number): Promise<HttpFrontEnd> {
    const frontEnd = new HttpFrontEnd(handle, log, clock);
    await new Promise<void>((resolve, reject) => {
      frontEnd.server.once('error', reject);
      frontEnd.server.listen(0, '127.0.0.1', () => resolve());
    });
    frontEnd.port = (frontEnd.server.address() as AddressInfo).port;
    return frontEnd;
  }

  private readonly server: http.Server;
  private port = 0;

  private constructor(private readonly handle: RequestHandler, private readonly log: CallLog, private readonly clock: () => number) {
    this.server = http.createServer((req, res) => {
      this.onRequest(req, res).catch((err) => {
        // Never leave the SDK hanging on an emulator bug: answer 500 and say why.
        if (!res.headersSent) sendError(res, asEksError(err));
        else res.destroy();
      });
    });
  }

  /** Base URL for `AWS_ENDPOINT_URL_EKS` / the client's `endpoint`. */
  public get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Closes the server and every open connection (the SDK keeps connections alive). */
  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const ctx = route(req.method ?? 'GET', new URL(req.url ?? '/', 'http://emulator.invalid'));
    const at = this.clock();
    const record = (httpStatus: number, outcome: string, message?: string) =>
      this.log.record({ operation: ctx.operation, cluster: ctx.cluster, profile: ctx.profile, at, httpStatus, outcome, message });
    try {
      ctx.body = parseBody(raw);
      // A create names its profile in the body, not the path.
      if (ctx.operation === 'CreateFargateProfile' && typeof ctx.body.fargateProfileName === 'string') {
        ctx.profile = ctx.body.fargateProfileName;
      }
      const reply = this.handle(ctx);
      record(reply.status, 'OK');
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    } catch (err) {
      const error = asEksError(err);
      record(error.status, error.errorType, error.message);
      sendError(res, error);
    }
  }
}

/** A profile in the wire format: as the snapshot, with `createdAt` in epoch seconds. */
export function wireProfile(profile: ProfileRecord): Record<string, unknown> {
  return { ...snapshot(profile), createdAt: profile.createdAt / 1000 };
}

/** Maps method + path to the operation, with the routes of the EKS API reference. */
function route(method: string, url: URL): RequestContext {
  const segments = url.pathname.split('/').slice(1).map(safeDecode);
  const ctx: RequestContext = { operation: 'Unknown', query: url.searchParams, body: {} };
  if (segments[0] === 'clusters' && segments.length >= 2) {
    ctx.cluster = segments[1];
    if (segments.length === 2 && method === 'GET') {
      ctx.operation = 'DescribeCluster'; // GET /clusters/{name}
    } else if (segments[2] === 'fargate-profiles' && segments.length === 3) {
      // POST: CreateFargateProfile; GET: ListFargateProfiles (/clusters/{name}/fargate-profiles)
      ctx.operation = method === 'POST' ? 'CreateFargateProfile' : method === 'GET' ? 'ListFargateProfiles' : 'Unknown';
    } else if (segments[2] === 'fargate-profiles' && segments.length === 4) {
      ctx.profile = segments[3];
      ctx.operation = method === 'GET' ? 'DescribeFargateProfile' : method === 'DELETE' ? 'DeleteFargateProfile' : 'Unknown';
    }
  } else if (segments[0] === 'tags' && segments.length === 2) {
    // POST / GET / DELETE /tags/{resourceArn}
    ctx.resourceArn = segments[1];
    const profileArn = parseProfileArn(segments[1]);
    ctx.cluster = profileArn?.cluster;
    ctx.profile = profileArn?.name;
    ctx.operation = method === 'POST' ? 'TagResource' : method === 'GET' ? 'ListTagsForResource' : method === 'DELETE' ? 'UntagResource' : 'Unknown';
  }
  return ctx;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The JSON body; BadRequestException otherwise (our assumption for the type and wording). */
function parseBody(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new EksError('BadRequestException', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EksError('BadRequestException', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function sendError(res: http.ServerResponse, error: EksError): void {
  const body: Record<string, string> = { message: error.message };
  for (const [key, value] of Object.entries(error.fields)) {
    if (value !== undefined) body[key] = value;
  }
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'x-amzn-errortype': `${error.errorType}:http://internal.amazon.com/coral/com.amazonaws.eks/`,
  });
  res.end(JSON.stringify(body));
}
