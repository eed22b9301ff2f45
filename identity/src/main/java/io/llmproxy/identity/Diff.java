package io.llmproxy.identity;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/** Field comparison for the provisioner: records the name of each differing field, never its value. */
final class Diff {

    private Diff() {
    }

    /** When {@code current} differs from {@code desired}: hands {@code desired} to {@code setter}, names the field. */
    static <T> void field(String name, T current, T desired, Consumer<T> setter, List<String> differing) {
        if (!Objects.equals(current, desired)) {
            setter.accept(desired);
            differing.add(name);
        }
    }

    /** Like {@link #field} for lists compared as sets (Keycloak does not keep their order). */
    static void set(String name, Collection<String> current, List<String> desired, Consumer<List<String>> setter,
            List<String> differing) {
        Collection<String> have = current == null ? List.of() : current;
        if (!new HashSet<>(have).equals(new HashSet<>(desired))) {
            setter.accept(desired);
            differing.add(name);
        }
    }

    /**
     * Compares only the keys of {@code desired} in {@code current}; when one differs, puts them all
     * into {@code current} (other keys stay) and names each differing {@code <name>.<key>}.
     *
     * @return true when {@code current} was changed
     */
    static boolean entries(String name, Map<String, String> current, Map<String, String> desired,
            List<String> differing) {
        boolean changed = false;
        for (Map.Entry<String, String> e : desired.entrySet()) {
            if (!Objects.equals(current.get(e.getKey()), e.getValue())) {
                current.put(e.getKey(), e.getValue());
                differing.add(name + "." + e.getKey());
                changed = true;
            }
        }
        return changed;
    }
}
