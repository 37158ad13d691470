/**
 * The account-scale simulation: a simulated day of the workload through one archive design, on
 * a one-second clock. The schedules, the dispatcher's choice of extensions (the real
 * `dueExtensions`, `batchesOf`, `assessCompleteness` and `completenessTransition` over real
 * registry entries), the worker pool (the archive function's reserved concurrency, async
 * invocations queued when it is full), the worker's deadline, and every RingCentral request
 * through the one shared budget of the user (ringcentral-model.ts).
 */
import {
  assessCompleteness,
  type CompletenessAlarmState,
  completenessTransition,
} from '../../../lib/extensions/completeness.ts';
import type { ExtensionEntry } from '../../../lib/extensions/ports.ts';
import { batchesOf, dueExtensions } from '../../../lib/extensions/schedule.ts';
import {
  archiveHandoff,
  discoveryRun,
  exportRun,
  type SimState,
  type Step,
  sendRun,
  syncExtension,
} from './processes.ts';
import { type Faults, LambdaMeter, RingCentralModel, type Spender } from './ringcentral-model.ts';
import { DAY_SECONDS, type SimMessage, seeded, type Workload } from './workload.ts';

/** The design under test. */
export interface Design {
  name: 'export' | 'per-extension';
  /** archive-export's schedule (seconds); none for the per-extension path. */
  exportEverySeconds?: number;
  /** The dispatcher's sweep interval (ARCHIVE_SWEEP_MINUTES) in seconds. */
  sweepSeconds: number;
  /** The webhook hands each new message to the archive worker. */
  webhookHandoff: boolean;
}

/** Fault injection of a run. */
export interface RunFaults extends Faults {
  /** Second at which one running archive worker is killed. */
  killWorkerAt?: number;
}

/** The deployed settings the simulation follows. */
const SETTINGS = {
  dispatchEvery: 300,
  discoveryEvery: 3600,
  workers: 4,
  batchSize: 25,
  workerTimeout: 240,
  behindSeconds: 120 * 60,
  drainSeconds: 6 * 3600,
  epoch: Date.parse('2026-03-02T00:00:00Z'),
} as const;

/** A running process: its steps, the step waiting for budget, and its Lambda bill. */
interface Running {
  function: string;
  memoryMb: number;
  spender: Spender;
  steps: Generator<Step>;
  pending: IteratorResult<Step> | undefined;
  busyUntil: number;
  startedAt: number;
  /** Ends the invocation at this second (the worker's timeout). */
  deadline?: number;
  onEnd?: () => void;
}

/** What a simulated day produced. */
export interface SimulationResult {
  design: Design['name'];
  messages: number;
  archived: number;
  lagsSeconds: number[];
  rc: RingCentralModel;
  lambda: LambdaMeter;
  /** Per new (archived) extension; the never archived ones count until the end. */
  newExtensionDelaysSeconds: number[];
  newExtensionsArchived: number;
  events: Array<{ at: number; detailType: string; behind: number }>;
  sendWaitsSeconds: number[];
  simulatedSeconds: number;
}

/** One simulated day; see the module comment. */
export class Simulation {
  private clock = 0;
  private readonly running: Running[] = [];
  private readonly queue: Array<() => Running> = [];
  private readonly rc: RingCentralModel;
  private readonly lambda = new LambdaMeter();
  private readonly state: SimState;
  private alarm: CompletenessAlarmState = {};
  private readonly events: SimulationResult['events'] = [];
  private readonly sendWaits: number[] = [];
  private readonly newDelays = new Map<string, number>();
  private nextMessage = 0;
  private nextSend = 0;

  constructor(
    private readonly workload: Workload,
    private readonly design: Design,
    private readonly faults: RunFaults = {},
  ) {
    this.rc = new RingCentralModel(faults, seeded(99));
    this.state = {
      now: () => this.clock,
      entries: new Map(),
      cursors: new Map(),
      archivedAt: new Map(),
      arrived: new Map(),
      arrivedAll: [],
      exportCovered: 0,
      iso: (second) => new Date(SETTINGS.epoch + second * 1000).toISOString(),
    };
    this.discover();
  }

  private get archiveWorkers(): number {
    return this.running.filter((process) => process.function === 'archive').length;
  }

  /** Discovery's registry writes: extensions present now, first seen now, archived by policy. */
  private discover(): void {
    for (const extension of this.workload.extensions) {
      if (extension.appearsAt > this.clock || this.state.entries.has(extension.id)) continue;
      const at = this.state.iso(this.clock);
      const entry: ExtensionEntry = {
        id: extension.id,
        type: extension.type,
        status: extension.status,
        firstSeen: at,
        lastSeen: at,
        archived: extension.archived,
      };
      // Before the day the history is archived (the backfill): complete through 0.
      if (this.clock === 0 && extension.archived) {
        entry.completeThrough = at;
        this.state.cursors.set(extension.id, 0);
        if (this.design.exportEverySeconds) entry.exportedThrough = at;
      }
      this.state.entries.set(extension.id, entry);
    }
  }

  private start(process: Omit<Running, 'pending' | 'busyUntil' | 'startedAt'>): void {
    this.running.push({
      ...process,
      pending: undefined,
      busyUntil: this.clock,
      startedAt: this.clock,
    });
  }

  /** An async invocation of the archive worker: runs now, or queued behind the concurrency. */
  private invokeArchive(steps: () => Generator<Step>, onEnd?: () => void): void {
    this.queue.push(() => ({
      function: 'archive',
      memoryMb: 1024,
      spender: 'archive',
      steps: steps(),
      pending: undefined,
      busyUntil: this.clock,
      startedAt: this.clock,
      deadline: this.clock + SETTINGS.workerTimeout - 10,
      ...(onEnd ? { onEnd } : {}),
    }));
  }

  /** A worker's batch: ISync each extension in order until its deadline. */
  private *batch(ids: readonly string[]): Generator<Step> {
    const deadline = this.clock + SETTINGS.workerTimeout - 15;
    for (const id of ids) {
      if (this.clock >= deadline) return;
      yield* syncExtension(this.state, id);
    }
  }

  /** archive-dispatch: completeness (and its events), then the due extensions to the workers. */
  private dispatch(): void {
    const now = SETTINGS.epoch + this.clock * 1000;
    const entries = [...this.state.entries.values()];
    const options = { now, behindThresholdSeconds: SETTINGS.behindSeconds };
    const transition = completenessTransition(
      assessCompleteness(entries, options),
      this.alarm,
      options,
    );
    if (transition.event) {
      const behind = Number(transition.event.detail.behindCount ?? 0);
      this.events.push({ at: this.clock, detailType: transition.event.detailType, behind });
    }
    this.alarm = transition.next;
    const due = dueExtensions(entries, {
      now,
      minIntervalMs: this.design.sweepSeconds * 1000,
      inFlightMs: SETTINGS.workerTimeout * 1000,
    });
    // As deployed: one batch per worker each dispatch; Lambda queues what finds no free copy.
    const batches = batchesOf(due, { batchSize: SETTINGS.batchSize, maxBatches: SETTINGS.workers });
    for (const batch of batches) {
      for (const id of batch) {
        const entry = this.state.entries.get(id);
        if (entry) entry.dispatchedAt = this.state.iso(this.clock);
      }
      this.invokeArchive(() => this.batch(batch));
    }
    this.lambda.record('archive-dispatch', 256, 1);
  }

  /** Messages created this second: the webhook marks the mailbox changed (and hands them off). */
  private arrive(): void {
    const { messages } = this.workload;
    while (this.nextMessage < messages.length) {
      const message = messages[this.nextMessage] as SimMessage;
      if (message.createdAt > this.clock) break;
      this.nextMessage += 1;
      this.state.arrivedAll.push(message);
      const list = this.state.arrived.get(message.extensionId) ?? [];
      list.push(message);
      this.state.arrived.set(message.extensionId, list);
      this.lambda.record('webhook', 256, 0.1);
      const entry = this.state.entries.get(message.extensionId);
      if (entry && entry.changedAt === undefined) entry.changedAt = this.state.iso(this.clock);
      if (this.design.webhookHandoff) this.invokeArchive(() => archiveHandoff(this.state, message));
    }
  }

  /** The schedules and arrivals of this second. */
  private schedule(): void {
    const t = this.clock;
    if (t > 0 && t % SETTINGS.discoveryEvery === 0) {
      const pages = Math.ceil(this.workload.extensions.length / 1000);
      this.start({
        function: 'extensions',
        memoryMb: 256,
        spender: 'archive',
        steps: discoveryRun(pages),
        onEnd: () => this.discover(),
      });
    }
    const every = this.design.exportEverySeconds;
    if (
      every &&
      t > 0 &&
      t % every === 0 &&
      !this.running.some((p) => p.function === 'archive-export')
    ) {
      const steps = exportRun(this.state, {
        settleSeconds: 60,
        overlapSeconds: 600,
        taskBaseSeconds: 60,
        taskSecondsPerMessage: 0.01,
      });
      this.start({
        function: 'archive-export',
        memoryMb: 1024,
        spender: 'archive',
        steps,
        deadline: t + 900,
      });
    }
    if (t % SETTINGS.dispatchEvery === 0) this.dispatch();
    this.arrive();
    const { sends } = this.workload;
    while (this.nextSend < sends.length && (sends[this.nextSend] as number) <= t) {
      const sentAt = sends[this.nextSend] as number;
      this.nextSend += 1;
      this.start({
        function: 'send',
        memoryMb: 0,
        spender: 'send',
        steps: sendRun(),
        onEnd: () => this.sendWaits.push(this.clock - sentAt),
      });
    }
    if (this.faults.killWorkerAt === t) {
      const victim = this.running.find((process) => process.function === 'archive');
      if (victim) this.finish(victim, false);
    }
  }

  /** Ends a process: its bill, its callback (not for a killed one). */
  private finish(process: Running, completed: boolean): void {
    this.running.splice(this.running.indexOf(process), 1);
    if (process.memoryMb > 0) {
      this.lambda.record(
        process.function,
        process.memoryMb,
        Math.max(1, this.clock - process.startedAt),
      );
    }
    if (completed) process.onEnd?.();
  }

  /** Advances one process as far as the budget allows this second. */
  private step(process: Running): void {
    while (process.busyUntil <= this.clock) {
      if (process.deadline !== undefined && this.clock >= process.deadline) {
        this.finish(process, true);
        return;
      }
      process.pending ??= process.steps.next();
      const current = process.pending;
      if (current.done) {
        this.finish(process, true);
        return;
      }
      const step = current.value;
      if ('sleep' in step) {
        process.busyUntil = this.clock + step.sleep;
        process.pending = undefined;
        continue;
      }
      const outcome = this.rc.request(step.group, process.spender, step.purpose, this.clock);
      if (outcome === 'wait') return;
      // A failed request is retried after a second (the client's backoff), the step kept.
      process.busyUntil = this.clock + (outcome === 'retry' ? 1 : step.seconds);
      if (outcome === 'ok') process.pending = undefined;
    }
  }

  /** New extensions: delay from appearance until the registry says archived through then. */
  private trackNewExtensions(): void {
    for (const extension of this.workload.extensions) {
      if (extension.appearsAt === 0 || !extension.archived || this.newDelays.has(extension.id))
        continue;
      const entry = this.state.entries.get(extension.id);
      const through = Math.max(
        Date.parse(entry?.completeThrough ?? '') || 0,
        Date.parse(entry?.exportedThrough ?? '') || 0,
      );
      if (through >= SETTINGS.epoch + extension.appearsAt * 1000) {
        this.newDelays.set(extension.id, this.clock - extension.appearsAt);
      }
    }
  }

  /** Runs the day, then drains until everything is archived (at most six hours). */
  run(): SimulationResult {
    const end = DAY_SECONDS + SETTINGS.drainSeconds;
    for (this.clock = 0; this.clock < end; this.clock += 1) {
      this.schedule();
      while (this.queue.length > 0 && this.archiveWorkers < SETTINGS.workers) {
        this.running.push((this.queue.shift() as () => Running)());
      }
      // Sends first: they are interactive and hold the Medium reserve.
      for (const process of [...this.running].sort(
        (a, b) => Number(a.spender === 'archive') - Number(b.spender === 'archive'),
      )) {
        this.step(process);
      }
      if (this.clock % 60 === 0) this.trackNewExtensions();
      if (
        this.clock >= DAY_SECONDS &&
        this.state.archivedAt.size === this.workload.messages.length &&
        this.alarm.behindSince === undefined
      )
        break;
    }
    const lags = this.workload.messages.flatMap((message) => {
      const at = this.state.archivedAt.get(message.id);
      return at === undefined ? [] : [at - message.createdAt];
    });
    return {
      design: this.design.name,
      messages: this.workload.messages.length,
      archived: this.state.archivedAt.size,
      lagsSeconds: lags,
      rc: this.rc,
      lambda: this.lambda,
      // One never archived counts from its appearance to the end: a lower bound of its delay.
      newExtensionDelaysSeconds: this.workload.extensions
        .filter((extension) => extension.appearsAt > 0 && extension.archived)
        .map((extension) => this.newDelays.get(extension.id) ?? this.clock - extension.appearsAt),
      newExtensionsArchived: this.newDelays.size,
      events: this.events,
      sendWaitsSeconds: this.sendWaits,
      simulatedSeconds: this.clock,
    };
  }
}
