"use client";
/**
 * The one scaffolding of every list page: a server-side search (sent once typing pauses) and filters, pages
 * fetched by cursor with "Load more", and the loading, empty, error and "N items" states around a table (or
 * around a plain list, for items that are not rows).
 *
 * While a new search or filter is on its way the rows already shown stay (marked busy) instead of giving way
 * to a spinner: a row keeps its key and its state, so a confirmation opened on it is not closed behind the
 * user's back, and the page does not jump. Arrow keys move between the rows' first controls.
 */
import { type UseQueryOptions, type UseQueryResult, useQueries } from "@tanstack/react-query";
import { Fragment, type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { ErrorState, LoadingState } from "~/components/feedback";
import { type ApiError, errorMessage } from "~/trpc/errors";
import { Button } from "./button";
import { cn } from "./cn";

const SEARCH_DELAY_MS = 300;

/** The value once it stops changing for `delayMs`, so each keystroke does not cost a request. */
export function useSettledValue<T>(value: T, delayMs: number = SEARCH_DELAY_MS): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

export interface CursorPage<TItem> {
  items: TItem[];
  nextCursor: string | null;
}

export interface PagedList<TItem> {
  items: TItem[];
  /** The first page's query; its error is the list's error. */
  first: UseQueryResult<CursorPage<TItem>, ApiError> | undefined;
  last: UseQueryResult<CursorPage<TItem>, ApiError> | undefined;
  /** Rows of the previous search or filter, shown until the new first page arrives. */
  isStale: boolean;
  isLoadingMore: boolean;
  hasMore: boolean;
  loadMore: () => void;
  /** The filter these items answer (the one the caller passed when they arrived). */
  filterKey: string;
}

/**
 * The pages of one filter (`filterKey` names it; a new key starts again from the first page).
 * `pageQuery` builds the query options of the page after `cursor`, typically `trpc.x.list.queryOptions(...)`.
 */
export function usePagedList<TItem>(
  filterKey: string,
  // biome-ignore lint/suspicious/noExplicitAny: tRPC's query options carry their own error and key types (which do not widen to React Query's); the caller names the item type.
  pageQuery: (cursor: string | undefined) => UseQueryOptions<any, any, any, any>,
  /** The item's identity: an item that moved to a later page between two fetches is shown once. */
  keyOf: (item: TItem) => string,
): PagedList<TItem> {
  const [paging, setPaging] = useState<{ filterKey: string; cursors: (string | undefined)[] }>({ filterKey, cursors: [undefined] });
  const cursors = paging.filterKey === filterKey ? paging.cursors : [undefined];
  const pages = useQueries({ queries: cursors.map((cursor) => pageQuery(cursor)) }) as UseQueryResult<CursorPage<TItem>, ApiError>[];
  const first = pages[0];
  const last = pages.at(-1);
  const seen = new Set<string>();
  const items = pages
    .flatMap((page) => page.data?.items ?? [])
    .filter((item) => {
      const key = keyOf(item);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const nextCursor = last?.data?.nextCursor ?? null;

  // The rows last shown with a first page, kept to bridge a change of filter. Written during render on
  // purpose: it only ever holds data already in the query cache, so a discarded render leaves nothing wrong.
  const shown = useRef<{ items: TItem[]; filterKey: string } | null>(null);
  const hasFirstPage = first?.data !== undefined;
  if (hasFirstPage) shown.current = { items, filterKey };
  const isStale = !hasFirstPage && first?.isPending === true && shown.current !== null;

  return {
    items: hasFirstPage ? items : isStale && shown.current ? shown.current.items : [],
    first,
    last,
    isStale,
    isLoadingMore: cursors.length > 1 && last?.isFetching === true && last.data === undefined,
    hasMore: hasFirstPage && nextCursor !== null,
    loadMore: () => {
      if (nextCursor !== null) setPaging({ filterKey, cursors: [...cursors, nextCursor] });
    },
    filterKey: hasFirstPage ? filterKey : (shown.current?.filterKey ?? filterKey),
  };
}

/** The search box and filters above a list. */
export function ListToolbar({
  searchLabel,
  placeholder,
  value,
  onChange,
  children,
}: {
  searchLabel: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
  children?: ReactNode;
}) {
  const searchId = useId();
  return (
    <div className="mb-3 flex flex-wrap items-center gap-3">
      <label htmlFor={searchId} className="visually-hidden">
        {searchLabel}
      </label>
      <input
        id={searchId}
        type="search"
        className="max-w-[420px] flex-1 basis-[240px]"
        placeholder={placeholder}
        value={value}
        maxLength={100}
        onChange={(event) => onChange(event.target.value)}
      />
      {children}
    </div>
  );
}

export interface Column {
  header: ReactNode;
  /** A header read by assistive technology only (e.g. "Actions"). */
  isHeaderHidden?: boolean;
  className?: string;
}

/** What every paged list says around its items: loading, error, empty, the count and "Load more". */
interface PagedFrameProps<TItem> {
  list: PagedList<TItem>;
  noun: { one: string; other: string };
  isFiltered: boolean;
  /** What "nothing yet" means here, and what the user can do about it. */
  empty: ReactNode;
  /** Shown when the search or filters match nothing. */
  emptyFiltered: ReactNode;
  /** A short description of the filter for the results line, e.g. `matching “ada”`. */
  filterSummary?: string;
  /** The button that fetches the next page, "Load more" unless told. */
  moreLabel?: string;
}

interface PagedTableProps<TItem> extends PagedFrameProps<TItem> {
  /** Names the table, e.g. "Agents". */
  label: string;
  columns: Column[];
  rowKey: (item: TItem) => string;
  /** The row's cells (start with a `<th scope="row">`). */
  renderRow: (item: TItem) => ReactNode;
  /** `data-testid` of each row, for tests that pick rows by kind. */
  rowTestId?: string;
  /** Further `data-*` attributes of a row (e.g. the id a test orders rows by). */
  rowData?: (item: TItem) => Record<`data-${string}`, string>;
}

/** Moves focus to the first control of the next or previous row (ArrowDown / ArrowUp), Home and End to the ends. */
function moveBetweenRows(event: KeyboardEvent<HTMLTableSectionElement>) {
  if (!["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key)) return;
  const target = event.target as HTMLElement;
  if (target.closest("input, textarea, select, [role='menu']")) return;
  const rows = Array.from(event.currentTarget.rows);
  const current = rows.findIndex((row) => row.contains(target));
  if (current === -1) return;
  const next = event.key === "ArrowDown" ? current + 1 : event.key === "ArrowUp" ? current - 1 : event.key === "Home" ? 0 : rows.length - 1;
  const focusable = rows[next]?.querySelector<HTMLElement>("a[href], button:not([disabled])");
  if (!focusable) return;
  event.preventDefault();
  focusable.focus();
}

function PagedFrame<TItem>({
  list,
  noun,
  isFiltered,
  empty,
  emptyFiltered,
  filterSummary,
  moreLabel = "Load more",
  contentClassName,
  children,
}: PagedFrameProps<TItem> & { contentClassName?: string; children: ReactNode }) {
  const { first, last, items } = list;
  if (!first || (first.isPending && !list.isStale)) return <LoadingState label={`Loading ${noun.other}…`} />;
  if (first.isError && !list.isStale) return <ErrorState error={first.error} onRetry={() => first.refetch()} />;
  const count = `${items.length}${list.hasMore ? "+" : ""} ${items.length === 1 ? noun.one : noun.other}`;
  return (
    <div aria-busy={list.isStale || undefined}>
      {/* Announced once per settled result, so a screen reader (and a test) knows the list answers the filter. */}
      <p className="visually-hidden" role="status" data-testid="list-status">
        {list.isStale ? `Searching ${noun.other}…` : isFiltered ? `${count} ${filterSummary ?? "match"}` : count}
      </p>
      {items.length === 0 ? (
        isFiltered ? (
          emptyFiltered
        ) : (
          empty
        )
      ) : (
        <>
          <div className={cn(contentClassName, "transition-opacity", list.isStale && "opacity-60")}>{children}</div>
          <div className="load-more">
            {last?.isError ? <p className="inline-error">{errorMessage(last.error)}</p> : null}
            {list.isLoadingMore ? (
              <LoadingState label={`Loading more ${noun.other}…`} />
            ) : list.hasMore ? (
              <Button variant="secondary" onClick={list.loadMore}>
                {moreLabel}
              </Button>
            ) : (
              <p className="muted">{count}</p>
            )}
          </div>
        </>
      )}
    </div>
  );
}

export function PagedTable<TItem>({ label, columns, rowKey, renderRow, rowTestId, rowData, ...frame }: PagedTableProps<TItem>) {
  return (
    <PagedFrame {...frame} contentClassName="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            {columns.map((column, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed for the table's life.
              <th key={index} scope="col" className={column.className}>
                {column.isHeaderHidden ? <span className="visually-hidden">{column.header}</span> : column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody onKeyDown={moveBetweenRows}>
          {frame.list.items.map((item) => (
            <tr key={rowKey(item)} data-testid={rowTestId} {...rowData?.(item)}>
              {renderRow(item)}
            </tr>
          ))}
        </tbody>
      </table>
    </PagedFrame>
  );
}

/** A paged list that is not a table (cards, notifications): the same states around a `<ul>` named `label`. */
export function PagedItems<TItem>({
  label,
  listClassName,
  itemKey,
  renderItem,
  ...frame
}: PagedFrameProps<TItem> & {
  label: string;
  listClassName?: string;
  itemKey: (item: TItem) => string;
  /** The `<li>` of each item. */
  renderItem: (item: TItem) => ReactNode;
}) {
  return (
    <PagedFrame {...frame}>
      <ul className={listClassName} aria-label={label}>
        {frame.list.items.map((item) => (
          <Fragment key={itemKey(item)}>{renderItem(item)}</Fragment>
        ))}
      </ul>
    </PagedFrame>
  );
}
