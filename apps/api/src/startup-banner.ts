// The URLs a person starting the API wants to click: logged once the API listens.
import { API_VERSION_PREFIX } from '@snapfleet/contracts';
import { OPERATIONAL_PATHS as P } from './http/operational-paths';

export interface ApiUrls {
  api: string;
  docs: string;
  dashboard: string;
  fleetPage: string;
  metrics: string;
  health: string;
}

/** A wildcard bind address is reached as localhost; any other as itself. */
export function apiUrls(bindAddress: string, port: number): ApiUrls {
  const wildcard = bindAddress === '0.0.0.0' || bindAddress === '::' || bindAddress === '';
  const host = wildcard ? 'localhost' : bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress;
  const base = `http://${host}:${port}`;
  return {
    api: `${base}${API_VERSION_PREFIX}/hosts`,
    docs: `${base}${P.docs}`,
    dashboard: `${base}${P.dashboard}`,
    fleetPage: `${base}${P.ui}`,
    metrics: `${base}${P.metrics}`,
    health: `${base}${P.ready}`,
  };
}

export function bannerMessage(urls: ApiUrls): string {
  return (
    `snapfleet API is up — API: ${urls.api} | docs: ${urls.docs} | dashboard: ${urls.dashboard} | ` +
    `fleet page: ${urls.fleetPage} | metrics: ${urls.metrics} | readiness: ${urls.health}`
  );
}
