package dev.duplex.cli;

import dev.duplex.api.ObjectName;
import picocli.CommandLine;

/**
 * Checks a name given on the command line against {@link ObjectName}'s rule while the command
 * line is parsed, so a bad name is refused before anything starts: no database, no driver, no
 * folder. The inventory records check it again for every other way in.
 */
final class ObjectNameConverter implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
        if (!ObjectName.isValid(value)) {
            throw new CommandLine.TypeConversionException(ObjectName.problem("object", value));
        }
        return value;
    }
}
