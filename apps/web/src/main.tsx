import './styles.css';
import { AuthProvider } from '@tessera/auth-react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { authClient } from './auth-client';
import { AppRoutes } from './router';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html must contain <div id="root">.');

createRoot(container).render(
  <StrictMode>
    <AuthProvider client={authClient}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </AuthProvider>
  </StrictMode>,
);
