package dev.duplex.engine.role;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerProvider;
import dev.duplex.engine.inventory.PairRecord;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes a pair's role controller from its settings: {@code type=exec} ({@link ExecRoleController}),
 * {@code type=http} ({@link HttpRoleController}), or the type of a {@link RoleControllerProvider}
 * given to the constructor.
 */
public final class RoleControllers implements RoleControllerSource {
    private final Map<String, RoleControllerProvider> providers = new LinkedHashMap<>();

    /** The built-in types only. */
    @Inject
    public RoleControllers() {
        this(List.of());
    }

    /** The built-in types and {@code extra} ones (which may not reuse a built-in type). */
    public RoleControllers(List<RoleControllerProvider> extra) {
        register(provider("exec", ExecRoleController::new));
        register(provider("http", HttpRoleController::new));
        requireNonNull(extra, "extra is null").forEach(this::register);
    }

    private void register(RoleControllerProvider provider) {
        if (providers.putIfAbsent(provider.type(), provider) != null) {
            throw new IllegalArgumentException("two role controller providers for type '" + provider.type() + "'");
        }
    }

    @Override
    public RoleController forPair(PairRecord pair) {
        try {
            return create(pair.roleController());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Pair '" + pair.name() + "': " + e.getMessage(), e);
        }
    }

    /** A controller for a settings map with a {@code type}. */
    public RoleController create(Map<String, String> settings) {
        String type = settings.get("type");
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("the role controller settings have no 'type' (one of " + providers.keySet() + ")");
        }
        RoleControllerProvider provider = providers.get(type);
        if (provider == null) {
            throw new IllegalArgumentException("unknown role controller type '" + type + "'; known types are " + providers.keySet());
        }
        return provider.create(settings);
    }

    private static RoleControllerProvider provider(String type, java.util.function.Function<Map<String, String>, RoleController> factory) {
        return new RoleControllerProvider() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public RoleController create(Map<String, String> settings) {
                return factory.apply(settings);
            }
        };
    }
}
