/** One measured number, with its unit, as printed in the results table. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

/** A target a benchmark must meet; `passed` says whether the measured figure met it. */
export interface BenchGoal {
  /** What is required, in words, e.g. `Light sustained >= 95% of limit`. */
  description: string;
  /** The measured figure the goal was judged on, in the goal's own unit. */
  actual: number;
  /** The threshold, e.g. 95. */
  target: number;
  comparison: '>=' | '<=' | '<' | '>' | '==';
  unit: string;
  passed: boolean;
}

/** What one benchmark reports. */
export interface BenchResult {
  name: string;
  figures: BenchFigure[];
  goals: BenchGoal[];
  /** True when every goal passed. */
  passed: boolean;
  durationMs: number;
  /** Free-form observations worth keeping beside the figures (e.g. the naive client's 429s). */
  notes: string[];
}

/** A benchmark module: `run()` starts whatever child processes it needs and stops them again. */
export interface Benchmark {
  /** Short kebab-case name; `npm run bench -- <name>` runs only this one. */
  name: string;
  /** One line saying what is measured. */
  description: string;
  run(): Promise<BenchResult>;
}
