/**
 * Everything the emulator remembers: consumer keys, request tokens, access tokens, authorize-page
 * tickets and the accounts with their items. In memory only; gone when the emulator closes.
 */
import type { RandomSource } from '../../../adapters/contracts.js';
import { newConsumerKey, newPageTicket, newPocketToken } from './ids.js';
import type { PocketItemRecord } from './item-types.js';
import { SYNTHETIC_DOMAIN, type SyntheticItems } from './synthetic-items.js';

/** What a consumer key may do (Pocket's add / modify / retrieve permissions). */
export type KeyPermission = 'retrieve' | 'add' | 'modify';
/** The data endpoints, by name. */
export type DataEndpointName = 'get' | 'add' | 'send';

export interface ConsumerKeyRecord {
  readonly key: string;
  readonly appName: string;
  readonly permissions: ReadonlySet<KeyPermission>;
  readonly forbiddenEndpoints: ReadonlySet<DataEndpointName>;
}

export interface RequestTokenRecord {
  readonly token: string;
  readonly consumerKey: string;
  readonly redirectUri: string;
  readonly state: string | null;
  decision: 'pending' | 'approved' | 'declined';
  /** Who approved (the account the access token will read). */
  approvedBy?: string;
  /** Set once the token has been exchanged for an access token. */
  used: boolean;
}

export interface AccessTokenRecord {
  readonly consumerKey: string;
  readonly username: string;
}

/** One pending decision on an authorize page; the ticket is the page's anti-forgery value. */
export interface PageTicketRecord {
  readonly requestToken: string;
  readonly redirectUri: string;
}

/** A user's list: explicit items (demo, added, changed) over an optional synthetic range. */
export class Account {
  /** Items held as objects, by item_id. Holds changed synthetic items too. */
  readonly explicit = new Map<string, PocketItemRecord>();
  /** Indexes of synthetic items that have a changed copy in `explicit`. */
  readonly overriddenSynthetic = new Set<number>();
  private nextItemId = 3_000_000_001;

  constructor(
    readonly username: string,
    readonly synthetic: SyntheticItems | undefined,
  ) {}

  /** The current item with this id (deleted ones included), or undefined. */
  get(itemId: string): PocketItemRecord | undefined {
    const held = this.explicit.get(itemId);
    if (held) return held;
    const synthetic = this.synthetic;
    const index = synthetic?.indexOf(itemId);
    return synthetic === undefined || index === undefined ? undefined : synthetic.item(index);
  }

  /** Stores a new or changed item. */
  put(item: PocketItemRecord): void {
    this.explicit.set(item.item_id, item);
    const index = this.synthetic?.indexOf(item.item_id);
    if (index !== undefined) this.overriddenSynthetic.add(index);
  }

  /** Finds a saved item by the URL it was saved with (explicit items only: synthetic URLs are unique per index). */
  findByUrl(url: string): PocketItemRecord | undefined {
    for (const item of this.explicit.values()) if (item.given_url === url || item.resolved_url === url) return item;
    const prefix = `https://${SYNTHETIC_DOMAIN}/articles/`;
    const synthetic = this.synthetic;
    const match = synthetic && url.startsWith(prefix) ? /^(\d+)$/.exec(url.slice(prefix.length)) : null;
    if (synthetic && match) return this.get(synthetic.idAt(Number(match[1])));
    return undefined;
  }

  newItemId(): string {
    return String(this.nextItemId++);
  }

  /** Every item held as an object, deleted ones included. */
  explicitItems(): IterableIterator<PocketItemRecord> {
    return this.explicit.values();
  }
}

/** What a consumer key issued by the emulator may do. */
export interface IssueKeyOptions {
  /** Shown on the authorize page. Default "authmachine demo". */
  appName?: string;
  /** Default: all three. A data call needing a missing one fails with 403 / 151. */
  permissions?: readonly KeyPermission[];
  /** Data endpoints this key may not call at all: 403 / 150. */
  forbiddenEndpoints?: readonly DataEndpointName[];
}

export class EmulatorStore {
  readonly keys = new Map<string, ConsumerKeyRecord>();
  readonly requestTokens = new Map<string, RequestTokenRecord>();
  readonly accessTokens = new Map<string, AccessTokenRecord>();
  readonly pageTickets = new Map<string, PageTicketRecord>();
  readonly accounts = new Map<string, Account>();

  constructor(private readonly random: RandomSource) {}

  issueConsumerKey(options: IssueKeyOptions = {}): ConsumerKeyRecord {
    const record: ConsumerKeyRecord = {
      key: newConsumerKey(this.random),
      appName: options.appName ?? 'authmachine demo',
      permissions: new Set(options.permissions ?? ['retrieve', 'add', 'modify']),
      forbiddenEndpoints: new Set(options.forbiddenEndpoints ?? []),
    };
    this.keys.set(record.key, record);
    return record;
  }

  newRequestToken(consumerKey: string, redirectUri: string, state: string | null): RequestTokenRecord {
    const record: RequestTokenRecord = {
      token: newPocketToken(this.random),
      consumerKey,
      redirectUri,
      state,
      decision: 'pending',
      used: false,
    };
    this.requestTokens.set(record.token, record);
    return record;
  }

  newAccessToken(consumerKey: string, username: string): string {
    const token = newPocketToken(this.random);
    this.accessTokens.set(token, { consumerKey, username });
    return token;
  }

  newPageTicket(requestToken: string, redirectUri: string): string {
    const ticket = newPageTicket(this.random);
    this.pageTickets.set(ticket, { requestToken, redirectUri });
    return ticket;
  }

  /** Takes a ticket out (each page can decide once). */
  takePageTicket(ticket: string): PageTicketRecord | undefined {
    const record = this.pageTickets.get(ticket);
    if (record) this.pageTickets.delete(ticket);
    return record;
  }
}
