import Dexie from 'dexie';
import type { AppDb } from './db';
import { newId } from './db';
import { projectSettingKeys } from './settingsRepo';
import type { Project, ProjectCard, ProjectGuide } from './types';
import type { LabelTree } from '../documents/labelTree';

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

/** Stores the dataset card's licence and description, the checklist's state, or the documents' label tree of a project. */
export async function updateProjectNotes(db: AppDb, id: string, patch: { card?: ProjectCard; guide?: ProjectGuide; labels?: LabelTree }): Promise<void> {
  const n = await db.projects.update(id, { ...patch, updatedAt: Date.now() });
  if (!n) throw new Dexie.NotFoundError(`project ${id} does not exist`);
}

/**
 * Whether a person accepted, rejected or edited any sample of the project (`lineage.human`).
 * Reads the project's samples until it finds one: call it only when a run has finished.
 */
export async function hasHumanReview(db: AppDb, projectId: string): Promise<boolean> {
  const hit = await db.samples
    .where('projectId')
    .equals(projectId)
    .filter((s) => Array.isArray(s.lineage.human) && s.lineage.human.length > 0)
    .first();
  return !!hit;
}

/** Deletes a project with everything that belongs to it, in one transaction. */
export async function deleteProject(db: AppDb, id: string): Promise<void> {
  await db.transaction('rw', [db.projects, db.seeds, db.samples, db.runs, db.runSeeds, db.runTasks, db.settings, db.documents, db.chunks, db.documentFiles, db.pairs], async () => {
    await db.settings.bulkDelete(projectSettingKeys(id));
    await db.chunks.where('projectId').equals(id).delete();
    await db.documentFiles.where('projectId').equals(id).delete();
    await db.documents.where('projectId').equals(id).delete();
    await db.seeds.where('projectId').equals(id).delete();
    // Pairs quote the samples' text: none may outlive them (a restore of the project would collide).
    await db.pairs.where('projectId').equals(id).delete();
    await db.samples.where('projectId').equals(id).delete();
    const runIds = await db.runs.where('projectId').equals(id).primaryKeys();
    await db.runSeeds.bulkDelete(runIds);
    await db.runTasks.where('runId').anyOf(runIds).delete();
    await db.runs.where('projectId').equals(id).delete();
    await db.projects.delete(id);
  });
}
