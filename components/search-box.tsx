"use client";

import { useQuery } from "@tanstack/react-query";
import { useCombobox } from "downshift";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import { useDebouncedValue } from "@/lib/client/use-debounced-value";
import { MATCH_LABEL } from "@/lib/accounts/match-labels";

/**
 * The lookup box in the header. `/` focuses it from anywhere; typing shows
 * ranked matches; Enter opens the highlighted account or, with none
 * highlighted, the full results page. Downshift supplies the ARIA combobox
 * pattern (roles, active descendant, keyboard).
 */
export function SearchBox() {
  const router = useRouter();
  const inputRef = useRef<HTMLInputElement>(null);
  const hintId = useId();

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.key !== "/" || event.metaKey || event.ctrlKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
      event.preventDefault();
      inputRef.current?.focus();
      inputRef.current?.select();
    }
    window.addEventListener("keydown", onKeyDown);
    // Marks the box once the `/` shortcut listens (hydrated), so tests can wait for it.
    inputRef.current?.setAttribute("data-shortcut-ready", "");
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  // The debounced suggestion query follows the typed text through a copy that
  // may trail it (downshift reports changes after rendering); the input's own
  // value is left to downshift, below.
  const [typed, setTyped] = useState("");
  const query = useDebouncedValue(typed.trim(), 150);
  const results = useQuery({
    queryKey: queryKeys.lookupSuggestions(query),
    queryFn: ({ signal }) => consoleApi.searchAccounts({ q: query, limit: 8 }, signal),
    enabled: query.length > 0 && query.length <= 254,
    placeholderData: (previous) => previous,
  });
  const items = query ? (results.data?.results ?? []) : [];

  // Downshift owns the input's value: it updates it in the input's own change
  // event, so what React commits is what the user typed. A controlled
  // `inputValue` would learn of a keystroke only from `onInputValueChange`,
  // which downshift calls from an effect after a render that has put the old
  // value back into the input; when renders lag, the next key lands on that
  // old value and the previous one is lost.
  const { isOpen, getMenuProps, getInputProps, getItemProps, highlightedIndex, getLabelProps, inputValue } = useCombobox({
    items,
    itemToString: (item) => (item ? item.username : ""),
    stateReducer: (state, { type, changes }) =>
      // Keep what the user typed when an item is picked.
      type === useCombobox.stateChangeTypes.ItemClick || type === useCombobox.stateChangeTypes.InputKeyDownEnter
        ? { ...changes, inputValue: state.inputValue }
        : changes,
    onInputValueChange: ({ inputValue }) => setTyped(inputValue),
    onSelectedItemChange: ({ selectedItem }) => {
      if (selectedItem) router.push(`/accounts/${selectedItem.id}`);
    },
  });

  return (
    <form
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        const text = inputValue.trim();
        if (text) router.push(`/lookup?q=${encodeURIComponent(text)}`);
      }}
      className="relative"
    >
      <label {...getLabelProps()} className="sr-only">
        Find an account by id, username, e-mail or subuser name
      </label>
      <input
        // Downshift's documented way to share our ref; it only reads it in
        // event handlers, which the React Compiler lint cannot see.
        // eslint-disable-next-line react-hooks/refs
        {...getInputProps({
          ref: inputRef,
          onKeyDown: (event) => {
            if (event.key === "Enter" && highlightedIndex < 0) {
              // No suggestion highlighted: let the form submit to the results page.
              (event.nativeEvent as unknown as { preventDownshiftDefault?: boolean }).preventDownshiftDefault = true;
            }
          },
        })}
        aria-describedby={hintId}
        type="search"
        placeholder="Find account: id, username, e-mail, subuser…  (press /)"
        maxLength={1000}
        className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm placeholder:text-slate-500 focus:border-blue-600"
      />
      <span id={hintId} className="sr-only">
        Press slash to focus. Use the arrow keys to choose a match and Enter to open it.
      </span>
      <ul
        {...getMenuProps()}
        className={`absolute z-40 mt-1 max-h-96 w-full overflow-auto rounded-md border border-slate-200 bg-white text-sm shadow-lg ${
          isOpen && query ? "" : "hidden"
        }`}
      >
        {isOpen && query && results.isError && <li className="px-3 py-2 text-red-800">{results.error.message}</li>}
        {isOpen && query && results.isSuccess && items.length === 0 && (
          <li className="px-3 py-2 text-slate-600">No account matches “{query}”.</li>
        )}
        {isOpen &&
          items.map((item, index) => (
            <li
              key={item.id}
              {...getItemProps({ item, index })}
              className={`cursor-pointer px-3 py-2 ${highlightedIndex === index ? "bg-blue-50" : ""}`}
            >
              <span className="font-medium">{item.username}</span>{" "}
              <span className="text-slate-600">
                #{item.id} · {item.email}
                {item.parentId ? ` · subuser of #${item.parentId}` : ""}
              </span>
              <span className="ml-2 text-xs text-slate-600">({MATCH_LABEL[item.matchedBy]})</span>
            </li>
          ))}
      </ul>
    </form>
  );
}
