/** A batch of input lines; `commit` records that they were delivered (a file offset, Kafka offsets). */
export interface LineBatch {
  lines: string[];
  commit(): Promise<void>;
}

/** Where `forward` reads: it yields a batch and reads on only once the batch was handled (so it pauses while the OAP is away). */
export interface LineSource {
  readonly name: string;
  batches(): AsyncIterable<LineBatch>;
  /** Stop reading (the batch being handled still commits). */
  stop(): void;
  stats(): Record<string, number>;
}

export const noCommit = (): Promise<void> => Promise.resolve();
