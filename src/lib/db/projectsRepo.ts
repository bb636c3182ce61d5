import Dexie from 'dexie';
import type { AppDb } from './db';
import { newId } from './db';
import type { Project } from './types';

/** The only code that writes the projects table. */

export async function listProjects(db: AppDb): Promise<Project[]> {
  return db.projects.orderBy('createdAt').toArray();
}

export async function createProject(db: AppDb, name: string): Promise<Project> {
  const clean = name.trim();
  if (!clean) throw new TypeError('A project needs a name');
  const now = Date.now();
  const project: Project = { id: newId(), name: clean, createdAt: now, updatedAt: now };
  await db.projects.add(project);
  return project;
}

export async function renameProject(db: AppDb, id: string, name: string): Promise<void> {
  const clean = name.trim();
  if (!clean) throw new TypeError('A project needs a name');
  const n = await db.projects.update(id, { name: clean, updatedAt: Date.now() });
  if (!n) throw new Dexie.NotFoundError(`project ${id} does not exist`);
}

/** Deletes a project with everything that belongs to it, in one transaction. */
export async function deleteProject(db: AppDb, id: string): Promise<void> {
  await db.transaction('rw', [db.projects, db.seeds, db.samples, db.runs, db.runSeeds], async () => {
    await db.seeds.where('projectId').equals(id).delete();
    await db.samples.where('projectId').equals(id).delete();
    const runIds = await db.runs.where('projectId').equals(id).primaryKeys();
    await db.runSeeds.bulkDelete(runIds);
    await db.runs.where('projectId').equals(id).delete();
    await db.projects.delete(id);
  });
}
