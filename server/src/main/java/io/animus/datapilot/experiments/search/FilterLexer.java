package io.animus.datapilot.experiments.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The tokens of a run filter, each with its character offset (for error positions). */
final class FilterLexer {
  private static final Set<String> OPERATORS = Set.of("=", "!=", "<>", "<", "<=", ">", ">=");
  private static final Pattern NUMBER = Pattern.compile("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?");

  /** type: i identifier, q back-quoted name, s quoted string, n number, o operator, y symbol, e end. */
  record Token(char type, String text, Object value, int position) {}

  private FilterLexer() {}

  /** i identifier, q back-quoted name, s string, n number, o operator, y symbol, e end. */
  static List<Token> lex(String text) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (true) {
      while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i >= text.length()) {
        out.add(new Token('e', "end of the filter", null, i));
        return out;
      }
      int start = i;
      char c = text.charAt(i);
      if (Character.isLetter(c) || c == '_') {
        while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_'
            || text.charAt(i) == '-')) {
          i++;
        }
        out.add(new Token('i', text.substring(start, i), null, start));
      } else if (Character.isDigit(c) || c == '-' || c == '+' || (c == '.' && i + 1 < text.length()
          && Character.isDigit(text.charAt(i + 1)) && (out.isEmpty() || out.get(out.size() - 1).type() != 'i'))) {
        Matcher m = NUMBER.matcher(text).region(i, text.length());
        if (!m.lookingAt()) {
          throw FilterParser.error(text, i, "a number", "not a number");
        }
        double value = Double.parseDouble(m.group());
        if (!Double.isFinite(value)) {
          throw FilterParser.error(text, i, "a finite number", "number out of range");
        }
        i = m.end();
        out.add(new Token('n', m.group(), value, start));
      } else if (c == '\'' || c == '"' || c == '`') {
        StringBuilder value = new StringBuilder();
        i++;
        while (true) {
          if (i >= text.length()) {
            throw FilterParser.error(text, start, "a closing " + c, "unterminated " + (c == '`' ? "name" : "string"));
          }
          char d = text.charAt(i);
          if (d == '\\' && i + 1 < text.length() && text.charAt(i + 1) == c && c != '`') {
            value.append(c);
            i += 2;
          } else if (d == c && i + 1 < text.length() && text.charAt(i + 1) == c) {
            value.append(c);
            i += 2;
          } else if (d == c) {
            i++;
            break;
          } else {
            value.append(d);
            i++;
          }
        }
        out.add(new Token(c == '`' ? 'q' : 's', text.substring(start, i), value.toString(), start));
      } else if (c == '(' || c == ')' || c == ',' || c == '.') {
        out.add(new Token('y', String.valueOf(c), null, start));
        i++;
      } else {
        String two = i + 1 < text.length() ? text.substring(i, i + 2) : "";
        String op = OPERATORS.contains(two) ? two : OPERATORS.contains(String.valueOf(c)) ? String.valueOf(c) : null;
        if (op == null) {
          throw FilterParser.error(text, i, "a key, a value, an operator or a parenthesis", "unexpected character " + "\"" + c + "\"");
        }
        out.add(new Token('o', op, null, start));
        i += op.length();
      }
    }
  }
}
