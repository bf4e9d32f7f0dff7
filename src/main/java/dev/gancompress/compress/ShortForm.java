package dev.gancompress.compress;

import java.util.Map;

/**
 * One abbreviation of the command line's short recipe form: {@code prefix:key=value} (or {@code prefix:key}
 * without a value) stands for technique {@code technique} with {@code fixed} fields plus {@code valueField} set to
 * the value. "prune:channel=0.5" is channel-pruning with ratio 0.5; "quantize:int8" is ptq-weights with bits 8.
 *
 * @param valueField the config field the value goes to; null when the key takes no value
 * @param fixed      config fields the abbreviation implies (JSON values)
 * @param meaning    one line for the help text and docs/RECIPES.md
 */
public record ShortForm(String prefix, String key, String technique, String valueField, Map<String, Object> fixed,
                        String meaning) {
    public ShortForm {
        fixed = Map.copyOf(fixed);
    }

    /** "prune:channel=R" or "quantize:int8": how it is written. */
    public String usage() {
        return prefix + ":" + key + (valueField == null ? "" : "=<" + valueField + ">");
    }
}
