import { type ActivityEvent, describeActivity } from '../lib/describe-activity';
import { describeDevice } from '../lib/describe-device';
import { formatTime } from '../lib/format-time';

/** The account's recent security events, newest first: what, when, from which device and address. */
export function ActivityList({
  events,
  currentSessionId,
}: {
  events: ActivityEvent[];
  currentSessionId: string | null;
}) {
  if (events.length === 0) return <p className="session-times">No activity yet.</p>;
  return (
    <ul className="session-list activity-list" aria-label="Recent activity">
      {events.map((event) => (
        <li key={event.id} className="session activity">
          <div className="session-details">
            <p className="session-device">
              {describeActivity(event)}
              {event.type === 'signed_in' && event.sessionId === currentSessionId ? (
                <span className="session-current">This session</span>
              ) : null}
            </p>
            <p className="session-times">
              {formatTime(event.at)} · {describeDevice(event.userAgent)}
              {event.ip === null ? null : ` · ${event.ip}`}
            </p>
          </div>
        </li>
      ))}
    </ul>
  );
}
