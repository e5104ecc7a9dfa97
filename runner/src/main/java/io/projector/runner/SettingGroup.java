package io.projector.runner;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a group of options whose values are settings: besides the flag, each is read from
 * {@code PROJECTOR_<FLAG>} and from the config file ({@link SettingsProvider}). Options of the
 * commands themselves and of unmarked groups are arguments of that one invocation (--yes, --cancel,
 * --new-table...): a variable or a file line left behind must not confirm a purge or pick a table.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface SettingGroup {
}
