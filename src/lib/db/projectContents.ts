import type { AppDb } from './db';

/** What a project holds, counted from the indexes (no row is read): what deleting it would remove. */
export interface ProjectContents {
  seeds: number;
  runs: number;
  samples: number;
  documents: number;
}

export async function countProjectContents(db: AppDb, projectId: string): Promise<ProjectContents> {
  const [seeds, runs, samples, documents] = await Promise.all([
    db.seeds.where('projectId').equals(projectId).count(),
    db.runs.where('projectId').equals(projectId).count(),
    db.samples.where('projectId').equals(projectId).count(),
    db.documents.where('projectId').equals(projectId).count(),
  ]);
  return { seeds, runs, samples, documents };
}
