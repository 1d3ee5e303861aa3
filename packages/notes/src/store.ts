/** What a client sees of a note: never its owner's id. Times are epoch ms. */
export interface Note {
  id: string;
  title: string;
  body: string;
  createdAt: number;
  updatedAt: number;
}

/** Where a page of notes ended: the last note's creation time and id. */
export interface NotesCursor {
  createdAt: number;
  id: string;
}

/**
 * A user's notes, on whichever engine the server runs (`createSqliteNotesStore`,
 * `createPgNotesStore`). Every method is scoped to the owner: another user's note is absent.
 */
export interface NotesStore {
  /** Newest first, `limit + 1` at most (the extra one tells the caller there is a next page). */
  list(userId: string, page: { limit: number; after: NotesCursor | null }): Promise<Note[]>;
  get(userId: string, id: string): Promise<Note | null>;
  create(userId: string, note: Note): Promise<void>;
  /** The note as changed, or null when the user has no such note. */
  update(
    userId: string,
    id: string,
    changes: { title?: string; body?: string; updatedAt: number },
  ): Promise<Note | null>;
  /** False when the user has no such note. */
  remove(userId: string, id: string): Promise<boolean>;
  /** Deletes every note of the user (their account was deleted): how many. */
  removeAllOf(userId: string): Promise<number>;
}

declare module '@tessera/api' {
  interface FeatureStores {
    /** This feature's store: `ctx.stores.notes`. */
    notes: NotesStore;
  }
}
