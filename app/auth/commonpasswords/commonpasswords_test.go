package commonpasswords_test

import (
	"testing"

	"github.com/company-expenses/company-expenses/app/auth/commonpasswords"
)

func TestListHoldsAtLeastTenThousandPasswords(t *testing.T) {
	t.Parallel()
	if n := commonpasswords.Len(); n < 10000 {
		t.Errorf("list has %d passwords, want at least 10,000", n)
	}
}

func TestContainsFindsCommonPasswordsWhateverTheirCase(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"1234567890", "password123", "qwertyuiop", "PASSWORD123", "QwertyUIOP", "password1234", "1qaz2wsx3edc"} {
		if !commonpasswords.Contains(pw) {
			t.Errorf("Contains(%q) = false", pw)
		}
	}
	for _, pw := range []string{"", "correct horse battery staple", "expenses-demo", "3vM-kq8!Tz0p"} {
		if commonpasswords.Contains(pw) {
			t.Errorf("Contains(%q) = true", pw)
		}
	}
}
