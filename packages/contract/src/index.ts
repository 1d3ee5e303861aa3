export { FAILURE_REASONS, type FailureReason } from './failure-reasons';
export {
  type AuthenticationResponseInput,
  authenticatePasskeyInput,
  authenticationResponseInput,
  changePasswordInput,
  confirmTwoFactorInput,
  deleteAccountInput,
  emailChangeTokenInput,
  emailInput,
  loginInput,
  nameInput,
  passkeyNameInput,
  passwordInput,
  type RegistrationResponseInput,
  reauthenticateInput,
  recoveryCodeInput,
  registerInput,
  registerPasskeyInput,
  registrationResponseInput,
  removePasskeyInput,
  requestEmailChangeInput,
  requestResetInput,
  resetPasswordInput,
  revokeSessionInput,
  setPasswordInput,
  totpCodeInput,
  verifyEmailInput,
  verifyTwoFactorInput,
} from './inputs';
export { limits, MAX_BATCH_SIZE, ROLES, type Role, SIGNED_IN_FLAG_COOKIE, TRPC_PATH } from './limits';
export type { Session, User } from './session';
export { isSessionEndCause, SESSION_END_CAUSES, type SessionEndCause } from './session-end';
export { followsTextRule, multiLineText, singleLineText, type TextOptions } from './text';
