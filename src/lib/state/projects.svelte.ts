import type { AppDb } from '../db/db';
import { createProject, deleteProject, listProjects, renameProject, updateProjectNotes } from '../db/projectsRepo';
import { getSetting, setSetting } from '../db/settingsRepo';
import type { Project, ProjectCard, ProjectGuide } from '../db/types';

/** The projects of this browser and the one being worked on (remembered across reloads). */
export class ProjectsState {
  #db: AppDb;
  #list = $state.raw<Project[]>([]);
  #currentId = $state<string | null>(null);

  #reviewWrites = $state(0);

  constructor(db: AppDb) {
    this.#db = db;
  }

  /**
   * How many times a person accepted, rejected, edited or undid on Review in this page: the
   * getting-started checklist asks again after each, while the user is still on Review.
   */
  get reviewWrites(): number {
    return this.#reviewWrites;
  }

  noteReview(): void {
    this.#reviewWrites++;
  }

  get list(): Project[] {
    return this.#list;
  }

  get current(): Project | null {
    return this.#list.find((p) => p.id === this.#currentId) ?? null;
  }

  /** Loads the projects; creates a first one (named `defaultName`) in an empty browser. */
  async load(defaultName: string): Promise<void> {
    let list = await listProjects(this.#db);
    if (!list.length) {
      await createProject(this.#db, defaultName);
      list = await listProjects(this.#db);
    }
    this.#list = list;
    const saved = await getSetting(this.#db, 'currentProjectId');
    this.#currentId = list.some((p) => p.id === saved) ? saved! : list[0]!.id;
  }

  async select(id: string): Promise<void> {
    this.#currentId = id;
    await setSetting(this.#db, 'currentProjectId', id);
  }

  async create(name: string): Promise<Project> {
    const p = await createProject(this.#db, name);
    this.#list = await listProjects(this.#db);
    await this.select(p.id);
    return p;
  }

  async rename(id: string, name: string): Promise<void> {
    await renameProject(this.#db, id, name);
    this.#list = await listProjects(this.#db);
  }

  /** Stores a project's dataset-card choices or its checklist state. */
  async setNotes(id: string, patch: { card?: ProjectCard; guide?: ProjectGuide }): Promise<void> {
    await updateProjectNotes(this.#db, id, patch);
    this.#list = await listProjects(this.#db);
  }

  /** Called before a project is deleted, to stop state that would write for it (the working recipe's saver). */
  beforeRemove: (id: string) => Promise<void> = async () => {};

  /** Deletes a project and everything in it; the last project is replaced by an empty one. */
  async remove(id: string, defaultName: string): Promise<void> {
    await this.beforeRemove(id);
    await deleteProject(this.#db, id);
    this.#list = await listProjects(this.#db);
    if (this.#currentId === id || !this.#list.length) await this.load(defaultName);
  }
}
