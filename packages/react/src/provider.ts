import { ConfigurationError, type IdentityPoolAuthOptions } from '@identity-pool/core';
import { createContext, createElement, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import { SessionHolder } from './session-holder.js';

const HolderContext = createContext<SessionHolder | undefined>(undefined);

export interface IdentityPoolProviderProps {
  /**
   * The session's options, read once when the provider mounts (a new object on every render does
   * not restart it). To change them, remount the provider (`key`).
   */
  options: IdentityPoolAuthOptions;
  children?: ReactNode;
}

/**
 * Holds one identity-pool session for the components below it. The session is created in an
 * effect — so never on the server, where effects do not run — and stopped on unmount; under
 * StrictMode's mount → unmount → mount the first session is stopped before the second is made.
 */
export function IdentityPoolProvider({ options, children }: IdentityPoolProviderProps) {
  const [holder] = useState(() => new SessionHolder());
  const optionsAtMount = useRef(options);
  useEffect(() => {
    const session = holder.start(optionsAtMount.current);
    return () => holder.stop(session);
  }, [holder]);
  return createElement(HolderContext.Provider, { value: holder }, children);
}

/** The provider's holder; a component outside a provider is a programming error, named as such. */
export function useSessionHolder(hook: string): SessionHolder {
  const holder = useContext(HolderContext);
  if (!holder) throw new ConfigurationError(`${hook}()`, 'must be called inside an <IdentityPoolProvider>');
  return holder;
}
