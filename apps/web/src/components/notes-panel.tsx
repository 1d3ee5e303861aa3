import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { limits } from '@tessera/contract';
import type { RouterOutputs } from '@tessera/server';
import { type FormEvent, useId, useState } from 'react';
import { formatTime } from '../lib/format-time';
import { useTRPC } from '../trpc';
import { FormAlert } from './form-alert';
import { LoadError } from './load-error';
import { NextPageButton } from './next-page-button';

type Note = RouterOutputs['notes']['list']['items'][number];

/** The signed-in user's notes: add, edit and delete them, newest first, a page at a time. */
export function NotesPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notes = useInfiniteQuery(
    trpc.notes.list.infiniteQueryOptions({}, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.notes.list.pathKey() });
  const create = useMutation(trpc.notes.create.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.notes.delete.mutationOptions({ onSuccess: refresh }));
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');

  const onCreate = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(
      { title, body },
      {
        onSuccess: () => {
          setTitle('');
          setBody('');
        },
      },
    );
  };

  const items = notes.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="notes" aria-labelledby="notes-title">
      <h2 id="notes-title" className="section-title">
        Notes
      </h2>
      <form className="form note-form" onSubmit={onCreate}>
        {create.isError ? <FormAlert message={create.error.message} /> : null}
        <NoteFields title={title} body={body} onTitle={setTitle} onBody={setBody} />
        <button type="submit" className="button" disabled={create.isPending || title.trim() === ''}>
          Add note
        </button>
      </form>
      {notes.isPending ? (
        <p className="loading" aria-busy="true">
          Loading notes…
        </p>
      ) : notes.isError ? (
        <LoadError what="Your notes" onRetry={() => void notes.refetch()} />
      ) : items.length === 0 ? (
        <p className="session-times">No notes yet. Write the first one above.</p>
      ) : (
        <ul className="session-list" aria-label="Notes">
          {items.map((note) => (
            <NoteItem key={note.id} note={note} onDelete={() => remove.mutate({ id: note.id })} onSaved={refresh} />
          ))}
        </ul>
      )}
      <NextPageButton query={notes}>Show older notes</NextPageButton>
    </section>
  );
}

function NoteFields(props: { title: string; body: string; onTitle(value: string): void; onBody(value: string): void }) {
  // Several forms show these fields at once (the new note, a note being edited): ids must differ.
  const id = useId();
  return (
    <>
      <div className="field">
        <label className="field-label" htmlFor={`${id}-title`}>
          Title
        </label>
        <input
          id={`${id}-title`}
          className="field-input"
          value={props.title}
          maxLength={limits.noteTitleMaxLength}
          onChange={(event) => props.onTitle(event.target.value)}
        />
      </div>
      <div className="field">
        <label className="field-label" htmlFor={`${id}-body`}>
          Body
        </label>
        <textarea
          id={`${id}-body`}
          className="field-input note-body"
          value={props.body}
          maxLength={limits.noteBodyMaxLength}
          rows={3}
          onChange={(event) => props.onBody(event.target.value)}
        />
      </div>
    </>
  );
}

function NoteItem({ note, onDelete, onSaved }: { note: Note; onDelete(): void; onSaved(): void }) {
  const trpc = useTRPC();
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(note.title);
  const [body, setBody] = useState(note.body);
  const update = useMutation(
    trpc.notes.update.mutationOptions({
      onSuccess: () => {
        setEditing(false);
        onSaved();
      },
    }),
  );

  if (editing) {
    return (
      <li className="session note">
        <form
          className="form note-form"
          onSubmit={(event) => {
            event.preventDefault();
            update.mutate({ id: note.id, title, body });
          }}
        >
          {update.isError ? <FormAlert message={update.error.message} /> : null}
          <NoteFields title={title} body={body} onTitle={setTitle} onBody={setBody} />
          <div className="note-actions">
            <button type="submit" className="button button-small" disabled={update.isPending}>
              Save
            </button>
            <button type="button" className="button button-secondary button-small" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  }
  return (
    <li className="session note">
      <div className="session-details">
        <p className="session-device">{note.title}</p>
        {note.body === '' ? null : <p className="note-text">{note.body}</p>}
        <p className="session-times">{formatTime(note.updatedAt)}</p>
      </div>
      <div className="note-actions">
        <button
          type="button"
          className="button button-secondary button-small"
          aria-label={`Edit ${note.title}`}
          onClick={() => setEditing(true)}
        >
          Edit
        </button>
        <button
          type="button"
          className="button button-secondary button-small"
          aria-label={`Delete ${note.title}`}
          onClick={onDelete}
        >
          Delete
        </button>
      </div>
    </li>
  );
}
