import { Link } from 'react-router';
import { AuthCard } from '../components/auth-card';

/** Any path we do not serve. */
export function NotFoundPage() {
  return (
    <AuthCard title="Page not found" subtitle="There is nothing at this address.">
      <Link className="button button-secondary" to="/">
        Go to the home page
      </Link>
    </AuthCard>
  );
}
