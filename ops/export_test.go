package ops

// NameValidByRules exposes the rule-by-rule name check to the tests.
var NameValidByRules = nameValidByRules
