package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"regexp"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	base := "http://localhost:18743"
	for _, w := range []int{1280, 390} {
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.NoSandbox, chromedp.WindowSize(w, 900))
		actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel2 := chromedp.NewContext(actx)
		ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
		do := func(acts ...chromedp.Action[chromedp.Void]) {
			if err := chromedp.Do(ctx, acts...); err != nil {
				log.Fatal(err)
			}
		}
		shot := func(name string) {
			buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				log.Fatal(err)
			}
			os.WriteFile(fmt.Sprintf("/tmp/reset-%s-%d.png", name, w), buf, 0o644)
		}
		email := fmt.Sprintf("iris%d.b@example.com", w)
		do(chromedp.Navigate(base + "/login"))
		shot("login")
		do(chromedp.Navigate(base + "/password/forgot"))
		shot("forgot")
		do(chromedp.SendKeys(chromedp.CSS(`#f-email`), "employee@example.com"), chromedp.Submit(chromedp.CSS(`#f-email`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="reset-sent"]`)))
		shot("forgot-sent")
		do(chromedp.Sleep(3*time.Second), chromedp.Navigate(base+"/dev/mail"), chromedp.Click(chromedp.CSS(`a[data-testid="dev-mail-subject"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="dev-mail-text"]`)))
		shot("devmail-reset")
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="dev-mail-text"]`)))
		if err != nil {
			log.Fatal(err)
		}
		link := regexp.MustCompile(`http://localhost:18743/password/reset\?token=\S+`).FindString(text)
		do(chromedp.Navigate(link))
		shot("set-password")
		do(chromedp.SendKeys(chromedp.CSS(`#f-new`), "password123"), chromedp.SendKeys(chromedp.CSS(`#f-confirm`), "password123"),
			chromedp.Submit(chromedp.CSS(`#f-new`)), chromedp.WaitVisible(chromedp.CSS(`#f-new-error`)))
		shot("set-password-error")
		do(chromedp.Navigate(base+"/login"), chromedp.SendKeys(chromedp.CSS(`#f-email`), "admin@example.com"),
			chromedp.SendKeys(chromedp.CSS(`#f-password`), "expenses-demo"), chromedp.Submit(chromedp.CSS(`#f-email`)),
			chromedp.Sleep(time.Second), chromedp.Navigate(base+"/admin/users/new"))
		shot("person-new")
		do(chromedp.SendKeys(chromedp.CSS(`#f-full_name`), "Iris Invited"), chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
			chromedp.Submit(chromedp.CSS(`#f-full_name`)), chromedp.Sleep(time.Second), chromedp.Navigate(base+"/admin/users"),
			chromedp.Click(chromedp.Search(fmt.Sprintf(`//tr[contains(., "%s")]//a`, email))),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="invitation"]`)))
		shot("person-invited")
		cancel3()
		cancel2()
		cancel()
	}
}
