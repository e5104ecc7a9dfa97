package io.projector.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.internal.plan.ChunkPlanner;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No type of {@code io.projector.internal} shows in what a public type outside it offers: its
 * public and protected methods, constructors and fields, its supertypes and record components.
 * Checked on the compiled classes of this module, so what is checked is what ships.
 */
class PublicSignaturesTest {

    private static final String INTERNAL = "io.projector.internal";

    @Test
    void noInternalTypeInAPublicSignature() throws Exception {
        List<String> violations = new ArrayList<>();
        for (Class<?> c : compiledClasses(Path.of("target/classes"))) {
            if (!c.getName().startsWith(INTERNAL + ".") && exposed(c)) {
                violations.addAll(leaks(c));
            }
        }
        assertThat(violations).isEmpty();
    }

    /** A public type that hands out the planner: the check must name it. */
    public static final class Leaky {
        public ChunkPlanner planner() {
            return null;
        }

        public List<? extends ChunkPlanner> planners;
    }

    @Test
    void theCheckCatchesALeak() {
        assertThat(leaks(Leaky.class)).containsExactlyInAnyOrder(
                Leaky.class.getName() + ".planner(): " + ChunkPlanner.class.getName(),
                Leaky.class.getName() + ".planners: " + ChunkPlanner.class.getName());
        assertThat(leaks(StageOrderTest.class)).isEmpty();
    }

    /** Public, and nested (if it is) in public types only. */
    private static boolean exposed(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
                return false;
            }
        }
        return true;
    }

    static List<String> leaks(Class<?> c) {
        List<String> out = new ArrayList<>();
        String owner = c.getName();
        check(out, owner + " extends", c.getGenericSuperclass());
        for (Type t : c.getGenericInterfaces()) {
            check(out, owner + " implements", t);
        }
        if (c.isRecord()) {
            for (RecordComponent r : c.getRecordComponents()) {
                check(out, owner + "." + r.getName() + " (component)", r.getGenericType());
            }
        }
        for (Field f : c.getDeclaredFields()) {
            if (visible(f.getModifiers()) && !f.isSynthetic()) {
                check(out, owner + "." + f.getName(), f.getGenericType());
            }
        }
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (visible(k.getModifiers()) && !k.isSynthetic()) {
                for (Type t : k.getGenericParameterTypes()) {
                    check(out, owner + ".<init>()", t);
                }
                for (Type t : k.getGenericExceptionTypes()) {
                    check(out, owner + ".<init>() throws", t);
                }
            }
        }
        for (Method m : c.getDeclaredMethods()) {
            if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                String where = owner + "." + m.getName() + "()";
                check(out, where, m.getGenericReturnType());
                for (Type t : m.getGenericParameterTypes()) {
                    check(out, where, t);
                }
                for (Type t : m.getGenericExceptionTypes()) {
                    check(out, where + " throws", t);
                }
            }
        }
        return out.stream().distinct().toList();
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(List<String> out, String where, Type type) {
        if (type == null) {
            return;
        }
        if (type instanceof Class<?> k) {
            while (k.isArray()) {
                k = k.getComponentType();
            }
            if (k.getName().startsWith(INTERNAL + ".")) {
                out.add(where + ": " + k.getName());
            }
        } else if (type instanceof ParameterizedType p) {
            check(out, where, p.getRawType());
            for (Type a : p.getActualTypeArguments()) {
                check(out, where, a);
            }
        } else if (type instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                check(out, where, b);
            }
            for (Type b : w.getLowerBounds()) {
                check(out, where, b);
            }
        } else if (type instanceof GenericArrayType g) {
            check(out, where, g.getGenericComponentType());
        } else if (type instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                check(out, where, b);
            }
        }
    }

    private static List<Class<?>> compiledClasses(Path root) throws IOException, ClassNotFoundException {
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (!name.endsWith("package-info")) {
                    out.add(Class.forName(name, false, PublicSignaturesTest.class.getClassLoader()));
                }
            }
        }
        assertThat(out).as("compiled classes under " + root).isNotEmpty();
        return out;
    }
}
