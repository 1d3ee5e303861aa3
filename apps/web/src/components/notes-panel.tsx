import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { limits } from '@tessera/contract';
import type { RouterOutputs } from '@tessera/server';
import { type ChangeEvent, type FormEvent, useId, useState } from 'react';
import { formatTime } from '../lib/format-time';
import { isLongNote } from '../lib/long-note';
import { usePasteLimit } from '../lib/use-paste-limit';
import { useTRPC } from '../trpc';
import { ConfirmDialog } from './confirm-dialog';
import { FormAlert } from './form-alert';
import { LoadError } from './load-error';
import { NextPageButton } from './next-page-button';
import { pastedTooMuch } from './text-field';

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
  const [deleting, setDeleting] = useState<Note | null>(null);

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
            <NoteItem key={note.id} note={note} onDelete={() => setDeleting(note)} onSaved={refresh} />
          ))}
        </ul>
      )}
      {remove.isError ? <FormAlert message="The note could not be deleted. Please try again." /> : null}
      <NextPageButton query={notes}>Show older notes</NextPageButton>
      {deleting === null ? null : (
        <ConfirmDialog
          title="Delete this note?"
          confirmLabel="Delete note"
          onConfirm={() => {
            remove.mutate({ id: deleting.id });
            setDeleting(null);
          }}
          onCancel={() => setDeleting(null)}
        >
          “{deleting.title}” will be deleted for good.
        </ConfirmDialog>
      )}
    </section>
  );
}

function NoteFields(props: { title: string; body: string; onTitle(value: string): void; onBody(value: string): void }) {
  // Several forms show these fields at once (the new note, a note being edited): ids must differ.
  const id = useId();
  return (
    <>
      <NoteField
        id={`${id}-title`}
        label="Title"
        value={props.title}
        maxLength={limits.noteTitleMaxLength}
        onChange={props.onTitle}
      />
      <NoteField
        id={`${id}-body`}
        label="Body"
        value={props.body}
        maxLength={limits.noteBodyMaxLength}
        onChange={props.onBody}
        multiline
      />
    </>
  );
}

/** One labelled field of a note, which says so when a paste was cut at its limit. */
function NoteField(props: {
  id: string;
  label: string;
  value: string;
  maxLength: number;
  onChange(value: string): void;
  multiline?: boolean;
}) {
  const limit = usePasteLimit(props.maxLength);
  const cutId = `${props.id}-cut`;
  const input = {
    id: props.id,
    className: props.multiline ? 'field-input note-body' : 'field-input',
    value: props.value,
    maxLength: props.maxLength,
    'aria-invalid': limit.tooLong || undefined,
    'aria-describedby': limit.tooLong ? cutId : undefined,
    onPaste: limit.onPaste,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      limit.onChange(event.target.value);
      props.onChange(event.target.value);
    },
  };
  return (
    <div className="field">
      <label className="field-label" htmlFor={props.id}>
        {props.label}
      </label>
      {props.multiline ? <textarea {...input} rows={3} /> : <input {...input} />}
      {limit.tooLong ? (
        <p id={cutId} className="field-error" role="alert">
          {pastedTooMuch(props.label, props.maxLength)}
        </p>
      ) : null}
    </div>
  );
}

function NoteItem({ note, onDelete, onSaved }: { note: Note; onDelete(): void; onSaved(): void }) {
  const trpc = useTRPC();
  const [editing, setEditing] = useState(false);
  const [expanded, setExpanded] = useState(false);
  const bodyId = useId();
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
        {note.body === '' ? null : (
          <p id={bodyId} className={isLongNote(note.body) && !expanded ? 'note-text note-text-clamped' : 'note-text'}>
            {note.body}
          </p>
        )}
        {isLongNote(note.body) ? (
          <button
            type="button"
            className="button-link"
            aria-expanded={expanded}
            aria-controls={bodyId}
            onClick={() => setExpanded(!expanded)}
          >
            {expanded ? 'Show less' : 'Show more'}
          </button>
        ) : null}
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
