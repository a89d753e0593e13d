package expenses

import "strconv"

func waitingSentence(d WaitingMail) string {
	n := len(d.Lines) + d.More
	if n == 1 {
		return "an expense waits for your approval in " + d.AppName + ":"
	}
	return strconv.Itoa(n) + " expenses wait for your approval in " + d.AppName + ":"
}

func more(n int) string {
	if n == 1 {
		return "1 more"
	}
	return strconv.Itoa(n) + " more"
}
