import { Injectable } from '@nestjs/common';

/** A user's job registry, as the README's `noContent()` snippet imports it (`./jobs.service.js`). */
@Injectable()
export class JobsService {
  private readonly finished = new Set<string>();

  finish(id: string): void {
    this.finished.add(id);
  }

  isFinished(id: string): boolean {
    return this.finished.has(id);
  }
}
